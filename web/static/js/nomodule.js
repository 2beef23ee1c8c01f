// Only browsers without ES modules run this: they cannot run the class page, so say so.
document.getElementById("boot-error").hidden = false;
