"""A seeded random walk through the real window: no exception, undo gives back the template exactly, and while
a training run holds the model (half of the walk) nothing the walk does changes the project."""
from tests.ui.walker import Walk

SEED = 20261202
STEPS = 300


def test_a_random_walk_of_user_actions_raises_nothing_and_undoes_to_the_template(window, qtbot):
    # pytest-qt fails this test on any exception in a slot or event handler along the way.
    stats = Walk(window, SEED).run(STEPS, training=True)
    assert stats.undo_checks >= 2
    assert sum(stats.actions.values()) == STEPS and len(stats.actions) >= 13  # every kind of action was tried
    assert stats.while_training == STEPS // 2 and stats.lock_checks == 2  # half of it while a run trained
    # No other dialog popped up than unsaved changes and (while training) whether to stop the run.
    assert all("Save the changes" in text or "Stop it?" in text for text in stats.boxes), stats.boxes
