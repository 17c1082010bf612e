"""A seeded random walk through the real window: no exception, and undo gives back the template exactly."""
from tests.ui.walker import Walk

SEED = 20261202
STEPS = 300


def test_a_random_walk_of_user_actions_raises_nothing_and_undoes_to_the_template(window, qtbot):
    # pytest-qt fails this test on any exception in a slot or event handler along the way.
    stats = Walk(window, SEED).run(STEPS)
    assert stats.undo_checks >= 2
    assert sum(stats.actions.values()) == STEPS and len(stats.actions) >= 12  # every kind of action was tried
    assert all("Save the changes" in text for text in stats.boxes), stats.boxes  # no other dialog popped up
