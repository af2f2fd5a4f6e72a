from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from accounts import api

app_name = "accounts"

urlpatterns = [
    path(
        "connexion/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
]

api_urlpatterns = [
    path("auth/token/", api.TokenLoginView.as_view(), name="api-token-login"),
    path("auth/token/logout/", api.TokenLogoutView.as_view(), name="api-token-logout"),
]
