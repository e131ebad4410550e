"""Refusals a proposal action can end in, with their stable codes and statuses."""


class ProposalError(Exception):
    """A refused action. `code` is stable (the API's error code); str() is for people."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, problems=None, quota=None):
        super().__init__(message)
        if code:
            self.code = code
        self.problems = problems or []
        self.quota = quota


class NotAllowed(ProposalError):
    """The caller may see the proposal but this is not their action (403)."""

    code = "forbidden"
    status = 403


class InvalidTransition(ProposalError):
    """The proposal is not in a state where this can happen (409)."""

    code = "invalid_transition"
    status = 409


class SubmissionRefused(ProposalError):
    """Data that breaks a rule (400)."""

    code = "invalid"
    status = 400


class QuotaRefused(ProposalError):
    """总量熔断: the quota of the proposal's year is used up (409)."""

    code = "quota_exhausted"
    status = 409

    def __init__(self, message: str, *, month=None, **kwargs):
        super().__init__(message, **kwargs)
        self.month = month  # the monthly cap inside `quota` that refused, if one did
