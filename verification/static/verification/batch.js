// "Pilih semua di halaman ini": ticks every row of the batch form. The server also
// honours the box without JavaScript (it takes every id of the page).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-select-all]").forEach((all) => {
    const rows = () => all.form.querySelectorAll('input[type="checkbox"][name="usulan"]');
    all.addEventListener("change", () => {
      rows().forEach((box) => {
        box.checked = all.checked;
      });
    });
    rows().forEach((box) => {
      box.addEventListener("change", () => {
        if (!box.checked) all.checked = false;
      });
    });
  });
});
