// Field visit: fill latitude/longitude from the device's location, on request only.
// The button stays hidden where the browser has no geolocation (the fields still work).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("[data-geolocate]");
  if (!button || !("geolocation" in navigator)) return;
  const status = document.querySelector("[data-geolocate-status]");
  const latitude = document.getElementById("id_latitude");
  const longitude = document.getElementById("id_longitude");
  button.classList.remove("d-none");
  button.addEventListener("click", () => {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        if (status) status.textContent = `± ${Math.round(position.coords.accuracy)} m`;
        button.disabled = false;
      },
      () => {
        if (status) status.textContent = button.dataset.error;
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
});
