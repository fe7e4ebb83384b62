"""The "demands" namespace (mounted at the site root): needs, resources, policies, matches and
cooperations, a module each."""

from . import matches, meetings, needs, policies, resources

app_name = "demands"

urlpatterns = [
    *needs.urlpatterns,
    *resources.urlpatterns,
    *policies.urlpatterns,
    *matches.urlpatterns,
    *meetings.urlpatterns,
]
