"""Hostile input on a person's override of an AI rating (the rating and the note). The
catalogue and its checks are in tests/hostile.py; the properties are described in
tests/test_hostile_input.py.
"""

from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from ai.models import Rating, Source, TaskAnalysis
from tests.hostile import (
    HOSTILE_TEXT,
    any_text,
    assert_kept,
    assert_korean_error,
    assert_shown,
    body_of,
    examples,
    hostile_setup,  # noqa: F401  (autouse: the limits out of the way, the counts)
    kept_text,
    outcome,
    post,
    rolled_back,
    text_input,
    too_big,
)

# --- AI: override -------------------------------------------------------------------------------


def override_examples(test):
    for value in HOSTILE_TEXT.values():
        test = example(rating="HIGH", note=value)(test)
    for rating in ["", "high", "VERY_HIGH", "HIGH\x00", "<script>alert(1)</script>", "1"]:
        test = example(rating=rating, note="이유")(test)
    return test


@examples(20)
@given(rating=st.one_of(st.sampled_from(Rating.values), any_text), note=text_input)
@override_examples
def test_an_override_note_is_stored_and_shown_as_typed_or_refused_in_korean(
    client_as, lead, task, rating, note
):
    client = client_as(lead)
    expected = kept_text(note, max_length=500, required=False)
    with rolled_back():
        response = post(
            client,
            reverse("ai:override", args=[task.pk]),
            {"rating": rating, "note": note},
            endpoint="ai:override",
        )
        override = TaskAnalysis.objects.filter(task=task, source=Source.PERSON).first()
        if too_big(response.sent_body) or not outcome(
            expected is not None and rating in Rating.values
        ):
            assert_korean_error(response, typed=[rating, note])
            assert override is None
            if not too_big(response.sent_body) and expected is not None:
                assert_kept(response, [note])
            return
        assert (override.rating, override.note) == (rating, expected)
        if expected:
            history = body_of(client.get(reverse("ai:history", args=[task.pk])))
            assert_shown(history, expected)
            assert_shown(body_of(client.get(task.team.get_absolute_url())), expected)
