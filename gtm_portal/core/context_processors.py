from .selectors import frame_for_user


def portal(request):
    """The frame's data (STYLE 3): unread count and the user's menu, read once per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    return {"frame": frame_for_user(user)}
