from courses.urls_authoring import urlpatterns as authoring_patterns
from courses.urls_learner import urlpatterns as learner_patterns

app_name = "courses"
urlpatterns = learner_patterns + authoring_patterns
