from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("koppelingen/<int:pk>/verslag.pdf", views.evaluatieverslag, name="evaluatieverslag"),
    path("gezinnen/<int:pk>/inzage.pdf", views.inzage, name="inzage"),
    path("rapportage/", views.gemeenterapportage_view, name="gemeente"),
]
