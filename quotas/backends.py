from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, keyed on username and IP address.

    authenticate() without an HTTP request (the shell, the test client's
    login()) has no IP to key a lockout on; it is passed on to the other
    backends instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
