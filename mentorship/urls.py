from django.urls import path

from . import views

app_name = "mentorship"

urlpatterns = [
    path("", views.index, name="index"),
    path("slots/<int:session_id>/", views.slot_detail, name="slot_detail"),
    path("slots/<int:session_id>/mentor/", views.mentor_signup, name="mentor_signup"),
    path("slots/<int:session_id>/mentor/withdraw/", views.mentor_withdraw, name="mentor_withdraw"),
    path("slots/<int:session_id>/trainee/", views.trainee_signup, name="trainee_signup"),
    path(
        "slots/<int:session_id>/trainee/withdraw/", views.trainee_withdraw, name="trainee_withdraw"
    ),
    path("slots/<int:session_id>/my-schedule/", views.my_schedule, name="my_schedule"),
    path("slots/<int:session_id>/review/", views.review, name="review"),
    path("slots/<int:session_id>/review/match/", views.review_match, name="review_match"),
    path("slots/<int:session_id>/review/discard/", views.review_discard, name="review_discard"),
    path("slots/<int:session_id>/review/publish/", views.review_publish, name="review_publish"),
    path("slots/<int:session_id>/review/absent/", views.review_absent, name="review_absent"),
    path(
        "slots/<int:session_id>/review/absent/undo/",
        views.review_absent_undo,
        name="review_absent_undo",
    ),
    path("slots/<int:session_id>/review/repair/", views.review_repair, name="review_repair"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path("conversations/<int:pk>/stay/", views.conversation_stay, name="conversation_stay"),
    path(
        "conversations/<int:pk>/feedback/",
        views.conversation_feedback,
        name="conversation_feedback",
    ),
    path("connections/", views.connections, name="connections"),
    path("feedback/", views.feedback_summary, name="feedback_summary"),
]
