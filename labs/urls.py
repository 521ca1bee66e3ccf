from labs.urls_learner import urlpatterns as learner_patterns
from labs.urls_trainer import urlpatterns as trainer_patterns

app_name = "labs"
urlpatterns = learner_patterns + trainer_patterns
