// The search page: queries the Pagefind index (search.py) of the page's own language, which
// pagefind.js picks from <html lang>. Results are written as text: nothing from the index
// becomes markup. Works from any folder of any static host: every address is relative.
const form = document.querySelector("form.search");

if (form) {
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const indexUrl = new URL(form.dataset.index, document.baseURI);
  const siteRoot = new URL("..", indexUrl);
  let loaded = null;

  const pagefind = async () => {
    if (!loaded) {
      loaded = import(indexUrl.href).then(async (module) => {
        await module.options({ baseUrl: siteRoot.pathname });
        await module.init();
        return module;
      });
    }
    return loaded;
  };

  const plainText = (html) => new DOMParser().parseFromString(html, "text/html").body.textContent || "";

  const say = (count, query) => {
    const template = count === 0 ? form.dataset.none : count === 1 ? form.dataset.one : form.dataset.other;
    status.textContent = template.replace("{count}", String(count)).replace("{query}", `“${query}”`);
  };

  const search = async (query) => {
    const index = await pagefind();
    const found = await index.search(query);
    const pages = await Promise.all(found.results.slice(0, 30).map((result) => result.data()));
    list.replaceChildren(...pages.map((page) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = page.url;
      link.textContent = (page.meta && page.meta.title) || page.url;
      const excerpt = document.createElement("p");
      excerpt.textContent = plainText(page.excerpt);
      item.append(link, excerpt);
      return item;
    }));
    say(found.results.length, query);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = form.elements.q.value.trim();
    if (!query) return;
    const address = new URL(location.href);
    address.searchParams.set("q", query);
    history.replaceState(null, "", address);
    search(query).catch((problem) => { status.textContent = String(problem); });
  });

  const asked = new URLSearchParams(location.search).get("q");
  if (asked) {
    form.elements.q.value = asked;
    search(asked).catch((problem) => { status.textContent = String(problem); });
  }
}
