from django.urls import path

from community.views import discussion, gallery, home, reviews, trainer

app_name = "community"
urlpatterns = [
    path("", home.home, name="home"),
    # gallery
    path("cours/<slug:slug>/galerie/", gallery.gallery, name="gallery"),
    path("labos/etape/<int:step_id>/", gallery.lab_panel, name="lab_panel"),
    path("labos/etape/<int:step_id>/partager/", gallery.share, name="share"),
    path("galerie/<int:pk>/", gallery.item_page, name="item"),
    path("galerie/<int:pk>/utile/", gallery.item_vote, name="item_vote"),
    path("galerie/<int:pk>/retirer/", gallery.item_withdraw, name="item_withdraw"),
    path("galerie/<int:pk>/relectures/", gallery.item_request_reviews, name="item_request_reviews"),
    path("galerie/<int:pk>/masquer/", gallery.item_hide, name="item_hide"),
    path("galerie/<int:pk>/afficher/", gallery.item_unhide, name="item_unhide"),
    path("galerie/<int:pk>/<str:kind>/", gallery.item_media, name="item_media"),
    # peer review
    path("relectures/", reviews.my_reviews, name="my_reviews"),
    path("relectures/<int:pk>/", reviews.review_page, name="review"),
    path("avis/<int:pk>/noter/", reviews.review_rate, name="review_rate"),
    path("labos/<slug:slug>/calibration/", reviews.calibration, name="calibration"),
    path("calibration/<int:pk>/", reviews.calibration_review, name="calibration_review"),
    path("calibration/<int:pk>/<str:kind>/", reviews.calibration_media, name="calibration_media"),
    # discussion
    path("discussion/etape/<int:step_id>/", discussion.discussion, name="discussion"),
    path("discussion/<int:pk>/repondre/", discussion.post_reply, name="post_reply"),
    path("discussion/<int:pk>/modifier/", discussion.post_edit, name="post_edit"),
    path("discussion/<int:pk>/supprimer/", discussion.post_delete, name="post_delete"),
    path("discussion/<int:pk>/signaler/", discussion.post_report, name="post_report"),
    path("discussion/<int:pk>/repondu/", discussion.post_answer, name="post_answer"),
    path("discussion/<int:pk>/rouvrir/", discussion.post_reopen, name="post_reopen"),
    path("discussion/<int:pk>/retirer/", discussion.post_remove, name="post_remove"),
    # trainers
    path("formateur/labos/<slug:slug>/relecture/", trainer.review_setup, name="review_setup"),
    path("formateur/labos/<slug:slug>/relecture/critere/", trainer.criterion_add, name="criterion_add"),
    path("formateur/labos/<slug:slug>/relecture/grille-type/", trainer.rubric_template, name="rubric_template"),
    path("formateur/labos/<slug:slug>/relecture/calibration/", trainer.calibration_add, name="calibration_add"),
    path("formateur/labos/<slug:slug>/relectures/", trainer.lab_reviews, name="lab_reviews"),
    path("formateur/criteres/<int:pk>/", trainer.criterion_edit, name="criterion_edit"),
    path("formateur/criteres/<int:pk>/supprimer/", trainer.criterion_delete, name="criterion_delete"),
    path("formateur/criteres/<int:pk>/<str:direction>/", trainer.criterion_move, name="criterion_move"),
    path("formateur/calibration/<int:pk>/", trainer.reference_review, name="reference_review"),
    path("formateur/calibration/<int:pk>/retirer/", trainer.calibration_remove, name="calibration_remove"),
    path("formateur/relectures/<int:pk>/retirer/", trainer.review_remove, name="review_remove"),
    path("formateur/cours/<slug:slug>/signalements/", trainer.reports, name="reports"),
    path("formateur/signalements/<int:pk>/classer/", trainer.report_dismiss, name="report_dismiss"),
]
