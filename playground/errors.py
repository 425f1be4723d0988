"""The one exception type the UI and CLI show to a person.

Every user mistake (bad file, bad setting, unknown model, offline Hub) is raised as a
PlaygroundError whose message is one sentence saying what was wrong and what to do.
The CLI prints it and exits with status 2; the UI shows it as a warning. Anything else
that escapes is a bug in the playground.
"""


class PlaygroundError(ValueError):
    """A problem with the user's input or environment, explained in one sentence."""
