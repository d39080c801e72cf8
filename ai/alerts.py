"""Budget alerts to Slack (incoming webhook) and to the operators' e-mail.

A failing webhook or mail server never breaks the request or job that crossed the threshold:
the failure is logged and the alert row stays, so it is not sent twice.
"""

import logging

from django.core.mail import mail_admins
from django.utils.translation import gettext as _

from ai.models import BudgetAlert, BudgetSettings
from workshop_site.figures import format_won
from workshop_site.slack import send_slack

logger = logging.getLogger(__name__)


def budget_alert_text(alert: BudgetAlert) -> str:
    rules = BudgetSettings.load()
    spent_krw = int(alert.spent_usd * rules.krw_per_usd)
    if alert.threshold >= 100:
        headline = _("AI 월 예산을 모두 썼습니다")
    else:
        headline = _("AI 월 예산의 %(p)d%%를 넘었습니다") % {"p": alert.threshold}
    return _("[워크샵] %(headline)s (%(month)s): %(spent)s원 / %(budget)s원 ($%(usd)s)") % {
        "headline": headline,
        "month": alert.month.strftime("%Y-%m"),
        "spent": format_won(spent_krw),
        "budget": format_won(rules.monthly_budget_krw),
        "usd": f"{alert.spent_usd:.2f}",
    }


def send_budget_alert(alert_id: int) -> None:
    alert = BudgetAlert.objects.filter(pk=alert_id).first()
    if alert is None:
        return
    text = budget_alert_text(alert)
    send_slack(text)
    try:
        mail_admins(text, text, fail_silently=False)
    except Exception:
        logger.exception("budget alert e-mail failed")
