from .models import Profile, User


def profile_get_for_user(*, user: User) -> Profile:
    return (
        Profile.objects.select_related("user")
        .prefetch_related("interests", "expertise")
        .get(user=user)
    )
