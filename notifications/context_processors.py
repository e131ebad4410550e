from .models import Notification


def bell(request):
    """The unread count beside the bell (a callable: no query unless shown)."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"unread_count": lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()}
