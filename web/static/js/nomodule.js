// Only browsers without ES modules run this: they cannot run the class page, so say so.
var notice = document.getElementById("boot-error");
if (notice) notice.hidden = false;
