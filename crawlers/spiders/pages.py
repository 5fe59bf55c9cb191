"""The page spider: watched pages become one snapshot document per page."""

from crawlers.items import DocumentItem
from crawlers.pages import EmptyExtraction, extract_watched_text
from crawlers.pricing import extract_price_points
from crawlers.spiders.base import SourceSpider, utc_now


class PagesSpider(SourceSpider):
    """Every `kind = "page"` source: pricing, product and home pages."""

    name = "pages"
    kinds = ("page",)
    source_errors = (EmptyExtraction,)

    def parse_documents(self, response, source):
        text = extract_watched_text(response.body, response.url, selector=source.selector,
                                    ignore=source.ignore)
        prices = extract_price_points(response.body, response.url, selector=source.selector)
        title = (response.css("title::text").get() or source.label or source.url).strip()
        yield DocumentItem(
            source_id=source.id, competitor_id=source.competitor_id, kind="snapshot",
            url=response.url, title=title, text=text, guid="snapshot", fetched_at=utc_now(),
            price_points=[p.to_dict() for p in prices],
        )
