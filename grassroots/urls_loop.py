from django.urls import path

from . import views_evaluation as evaluation

app_name = "loop"

urlpatterns = [
    path("evaluation/", evaluation.evaluation, name="evaluation"),
    path("evaluation/<int:year>/<slug:code>/", evaluation.rate, name="rate"),
    path("evaluation/results/", evaluation.results, name="results"),
    path("evaluation/window/", evaluation.window, name="window"),
    path("evaluation/comments/<int:year>/<slug:code>/", evaluation.comments, name="comments"),
]
