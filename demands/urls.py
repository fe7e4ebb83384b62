from .urls_lists import urlpatterns as lists_urlpatterns
from .urls_needs import urlpatterns as needs_urlpatterns

app_name = "demands"

urlpatterns = [*needs_urlpatterns, *lists_urlpatterns]
