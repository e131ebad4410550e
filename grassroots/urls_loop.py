from django.urls import path

from . import views_evaluation as evaluation
from . import views_monitoring as monitoring
from . import views_rectification as rectification

app_name = "loop"

urlpatterns = [
    path("evaluation/", evaluation.evaluation, name="evaluation"),
    path("evaluation/<int:year>/<slug:code>/", evaluation.rate, name="rate"),
    path("evaluation/results/", evaluation.results, name="results"),
    path("evaluation/window/", evaluation.window, name="window"),
    path("evaluation/comments/<int:year>/<slug:code>/", evaluation.comments, name="comments"),
    path("monitoring/", monitoring.monitoring_home, name="monitoring"),
    path("monitoring/<slug:unit>/<int:year>-<int:month>/", monitoring.month, name="month"),
    path("rectifications/", rectification.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", rectification.rectification_detail, name="rectification"),
]
