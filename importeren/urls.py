from django.urls import path

from importeren import views

app_name = "importeren"

urlpatterns = [
    path("importeren/", views.start, name="start"),
    path("importeren/sjabloon.xlsx", views.sjabloon_downloaden, name="sjabloon"),
    path("importeren/<int:pk>/", views.detail, name="detail"),
    path("importeren/<int:pk>/invoeren/", views.invoeren, name="invoeren"),
    path("importeren/<int:pk>/ongedaan-maken/", views.ongedaan_maken, name="ongedaan-maken"),
]
