"""Import: a user's .py run in a sandboxed child process, its forward traced, mapped onto a project."""
