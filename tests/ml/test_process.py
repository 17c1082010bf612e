"""The one child-process runner, as the export check and the import sandbox use it."""
import signal

from designer.ml import process


def test_a_child_that_floods_its_output_is_stopped_and_said_so():
    result = process.run_python(["-c", "while True: print('x' * 1000)"], timeout=60, max_output=1 << 16)
    assert result.flooded and not result.timed_out
    assert "printed more than" in result.problem("importing net.py", 60)


def test_a_child_that_hangs_is_stopped_at_the_time_limit():
    result = process.run_python(["-c", "import time; time.sleep(60)"], timeout=0.5)
    assert result.timed_out
    assert result.problem("importing net.py", 0.5) == "importing net.py did not finish within 0.5 s and was stopped"


def test_a_child_over_its_cpu_limit_is_named_as_such_in_the_export_check_too():
    """Before, only the sandbox's copy of the runner knew SIGXCPU: the export check said 'failed: exit status'."""
    result = process.run_python(["-c", f"import os; os.kill(os.getpid(), {int(signal.SIGXCPU)})"], timeout=60)
    assert "more memory or CPU time than allowed" in result.problem("importing net.py", 60)


def test_the_last_line_of_a_failing_child_is_the_reason():
    result = process.run_python(["-c", "print('step'); raise SystemExit('boom: shapes differ')"], timeout=60)
    assert result.returncode == 1 and result.problem("importing net.py", 60) == \
        "importing net.py failed: boom: shapes differ"
