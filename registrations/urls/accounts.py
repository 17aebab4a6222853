"""Login, logout and password reset with Django's own views and our templates."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from registrations.forms import QueuedPasswordResetForm
from registrations.views import my_data, otp, residents

urlpatterns = [
    path("daftar/", residents.sign_up, name="resident-sign-up"),
    path("daftar/terkirim/", residents.sign_up_done, name="resident-sign-up-done"),
    path("aktivasi/<str:token>/", residents.activate, name="resident-activate"),
    path("saya/", residents.my_account, name="resident-account"),
    path("verifikasi/", otp.otp_verify, name="otp-verify"),
    path("verifikasi/aktifkan/", otp.otp_setup, name="otp-setup"),
    path("saya/data/", my_data.my_data, name="my-data"),
    path("saya/data/unduh/", my_data.my_data_download, name="my-data-download"),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "lupa-sandi/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("lupa-sandi/terkirim/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "atur-sandi/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("atur-sandi/selesai/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("ganti-sandi/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("ganti-sandi/selesai/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
