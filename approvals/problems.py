"""One reason a proposal cannot be submitted, tied to a form field."""


class Problem:
    def __init__(self, field: str, code: str, message: str):
        self.field, self.code, self.message = field, code, message

    def __repr__(self):
        return f"Problem({self.field!r}, {self.code!r})"
