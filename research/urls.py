from django.urls import path

from . import views, views_post_award, views_review

app_name = "research"

urlpatterns = [
    path("research/", views.public_page, name="public"),
    path("research/proposals/", views.proposal_list, name="proposal_list"),
    path("research/proposals/new/", views.proposal_create, name="proposal_create"),
    path("research/proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("research/proposals/<int:pk>/concept/", views.concept_edit, name="concept_edit"),
    path("research/proposals/<int:pk>/concept/submit/", views.concept_submit, name="concept_submit"),
    path("research/proposals/<int:pk>/full-proposal/", views.full_proposal_edit, name="full_proposal_edit"),
    path("research/proposals/<int:pk>/full-proposal/submit/", views.full_proposal_submit, name="full_proposal_submit"),
    path("research/proposals/<int:pk>/documents/<slug:kind>/", views.proposal_document, name="proposal_document"),
    path("research/proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    # The scientific review's conversation (research/views_review.py).
    path("research/proposals/<int:pk>/answer/", views_review.answer, name="proposal_answer"),
    path("research/proposals/<int:pk>/messages/", views_review.send_message, name="proposal_message"),
    path("research/proposals/<int:pk>/messages/<int:message_pk>/attachment/", views_review.message_attachment,
         name="proposal_message_attachment"),
] + views_post_award.urlpatterns
