"""Canned queries for the Datasette desk; each one doubles as an Atom feed.

Every query returns readable columns first and the `atom_*` columns datasette-atom
needs last (the stylesheet hides those in HTML). Feeds carry scraped text only as
`atom_content` (plain text), never `atom_content_html`, and `atom_link` is always an
http(s) URL, falling back to the source's configured URL.
"""

from __future__ import annotations

from reports.queries import RELEASE_KEY, WHEN

SINCE_WEEK = "COALESCE(NULLIF(:since, ''), date('now', '-7 days'))"
SINCE_MONTH = "COALESCE(NULLIF(:since, ''), date('now', '-30 days'))"


def atom_time(expr: str) -> str:
    """SQL turning an ISO date or time into the RFC 3339 UTC stamp Atom requires."""
    return f"COALESCE(strftime('%Y-%m-%dT%H:%M:%SZ', {expr}), '1970-01-01T00:00:00Z')"


def http_url(*exprs: str) -> str:
    """SQL for the first of exprs that is an http(s) URL, so no feed links to javascript:."""
    cases = " ".join(f"WHEN {e} LIKE 'http://%' OR {e} LIKE 'https://%' THEN {e}" for e in exprs)
    return f"CASE {cases} END"


def competitor_matches(column: str, name_column: str) -> str:
    """SQL: the :competitor parameter is empty, or names the competitor by id or name."""
    return (f"(:competitor = '' OR {column} = :competitor "
            f"OR {name_column} = :competitor COLLATE NOCASE)")


# One row per release when a changelog and a release feed both announce it (the rule of
# reports.weekly.merge_releases: same version, else same day and title; most items wins).
MERGED_RELEASES = f"""
keyed AS (
  SELECT r.*, COALESCE(r.released_on, substr({WHEN}, 1, 10)) AS day, d.url AS document_url,
    {RELEASE_KEY} AS release_key,
    CASE WHEN json_valid(r.item_counts)
      THEN (SELECT COALESCE(sum(value), 0) FROM json_each(r.item_counts)) ELSE 0
    END AS item_total
  FROM releases r JOIN documents d ON d.id = r.document_id
),
merged AS (
  SELECT * FROM (
    SELECT keyed.*,
      row_number() OVER (PARTITION BY competitor_id, release_key
                         ORDER BY item_total DESC, document_id) AS choice,
      group_concat(source_id, ', ') OVER (PARTITION BY competitor_id, release_key
        ORDER BY source_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        AS announced_in
    FROM keyed
  ) WHERE choice = 1
)"""

RELEASES_THIS_WEEK = f"""
WITH {MERGED_RELEASES}
SELECT m.day AS released_on, c.name AS competitor, m.version,
  COALESCE(m.title, d.title) AS title, m.items, m.breaking, m.announced_in,
  COALESCE(m.anchor_url, d.url) AS url, m.document_id,
  'rivalwatch:releases:' || m.document_id AS atom_id,
  COALESCE(c.name, m.competitor_id, 'Release') || ': '
    || COALESCE(NULLIF(m.title, ''), m.version, d.title, 'release')
    || CASE WHEN m.version != '' AND instr(COALESCE(m.title, ''), m.version) = 0
            THEN ' (' || m.version || ')' ELSE '' END AS atom_title,
  {atom_time('m.day')} AS atom_updated,
  {http_url('m.anchor_url', 'd.url', 's.url')} AS atom_link,
  d.text AS atom_content
FROM merged m JOIN documents d ON d.id = m.document_id
JOIN sources s ON s.id = m.source_id
LEFT JOIN competitors c ON c.id = m.competitor_id
WHERE m.day >= {SINCE_WEEK} AND {competitor_matches('m.competitor_id', 'c.name')}
ORDER BY c.name COLLATE NOCASE, m.day DESC, m.document_id DESC
"""

SIGNIFICANT_CHANGES = f"""
SELECT pc.detected_at, c.name AS competitor, COALESCE(s.label, s.id) AS page, s.url AS page_url,
  round(pc.significance, 2) AS significance,
  (SELECT group_concat(p.summary, '; ') FROM price_changes p
   WHERE p.source_id = pc.source_id AND p.detected_at = pc.detected_at) AS price_changes,
  pc.added, pc.removed, pc.diff, pc.id AS change_id,
  'rivalwatch:page_changes:' || pc.id AS atom_id,
  COALESCE(c.name, s.id) || ': ' || COALESCE(s.label, 'page') || ' page changed (significance '
    || printf('%.2f', pc.significance) || ')' AS atom_title,
  {atom_time('pc.detected_at')} AS atom_updated,
  {http_url('s.url')} AS atom_link,
  pc.diff AS atom_content
FROM page_changes pc JOIN sources s ON s.id = pc.source_id
LEFT JOIN competitors c ON c.id = pc.competitor_id
WHERE pc.significance >= CAST(COALESCE(NULLIF(:min_significance, ''), 0.5) AS REAL)
  AND pc.detected_at >= {SINCE_MONTH} AND {competitor_matches('pc.competitor_id', 'c.name')}
ORDER BY pc.detected_at DESC, pc.significance DESC, pc.id DESC
"""

PRICE_TEXT = """trim(printf('%s %s', CASE WHEN pp.contact_sales THEN 'contact sales'
    ELSE trim(printf('%g', pp.amount) || ' ' || COALESCE(pp.currency, '')) END,
  trim(COALESCE('per ' || pp.unit, '') || COALESCE('/' || pp.period, ''))))"""

PRICE_HISTORY = f"""
SELECT c.name AS competitor, pp.plan, {PRICE_TEXT} AS price, pp.amount, pp.currency,
  pp.period, pp.unit, pp.contact_sales, pp.first_seen_at, pp.last_seen_at, pp.current,
  s.url AS page_url,
  'rivalwatch:price_points:' || pp.id AS atom_id,
  COALESCE(c.name, pp.competitor_id) || ' ' || pp.plan || ': ' || {PRICE_TEXT}
    || CASE WHEN pp.current THEN '' ELSE ' (no longer listed)' END AS atom_title,
  {atom_time('pp.first_seen_at')} AS atom_updated,
  {http_url('s.url')} AS atom_link
FROM price_points pp JOIN sources s ON s.id = pp.source_id
LEFT JOIN competitors c ON c.id = pp.competitor_id
WHERE {competitor_matches('pp.competitor_id', 'c.name')}
  AND (:plan = '' OR pp.plan = :plan COLLATE NOCASE)
ORDER BY c.name COLLATE NOCASE, pp.plan COLLATE NOCASE, pp.period, pp.first_seen_at DESC,
  pp.id DESC
"""

# "This week" is the newest window of the chosen window type (default: the type of the
# most recently started window), so the query keeps working whatever the trend stage names it.
# Numbers and dates rise and fall with the calendar, and one-word phrases are mostly noise.
NOTABLE_TERM = """(t.term_kind IN ('competitor', 'event')
  OR (t.term_kind = 'keyphrase' AND t.term LIKE '% %')
  OR (t.term_kind = 'entity' AND substr(t.term, 1, instr(t.term, ':') - 1) NOT IN
      ('cardinal', 'ordinal', 'quantity', 'percent', 'money', 'date', 'time')))"""
# The week the report covers by default: the week of yesterday (Monday shows last week).
REPORTED_WEEK = "date('now', '-1 day', 'weekday 0', '-6 days')"

RISING_TERMS = f"""
WITH chosen AS (
  SELECT COALESCE(NULLIF(:window, ''),
    (SELECT "window" FROM trends ORDER BY window_start DESC, "window" LIMIT 1)) AS name
),
latest AS (
  SELECT t."window", max(t.window_start) AS window_start FROM trends t, chosen
  WHERE t."window" = chosen.name
    AND (t."window" != 'week' OR t.window_start <= {REPORTED_WEEK}) GROUP BY t."window"
)
SELECT t.term, t.term_kind, t.count, round(t.baseline, 2) AS baseline,
  round(t.score, 2) AS score, t."window", t.window_start,
  'rivalwatch:trends:' || t."window" || ':' || t.window_start || ':' || t.term_kind || ':'
    || t.term AS atom_id,
  'Rising: ' || t.term || ' (' || t.count || ' mentions, baseline '
    || printf('%.1f', COALESCE(t.baseline, 0)) || ')' AS atom_title,
  {atom_time('t.window_start')} AS atom_updated,
  t.term || ' (' || t.term_kind || '): ' || t.count || ' in the ' || t."window" || ' from '
    || t.window_start || ', baseline ' || printf('%.1f', COALESCE(t.baseline, 0))
    || ', score ' || printf('%.2f', t.score) AS atom_content
FROM trends t JOIN latest l ON l."window" = t."window" AND l.window_start = t.window_start
WHERE t.count > COALESCE(t.baseline, 0) AND (:term_kind = '' OR t.term_kind = :term_kind)
  AND {NOTABLE_TERM}
ORDER BY t.score DESC, t.count DESC, t.term
LIMIT 50
"""

ENTITY_MENTIONS = f"""
SELECT {WHEN} AS published, e.name AS entity, e.label, m.count AS mentions,
  c.name AS competitor, d.kind, d.title, d.url, d.id AS document_id,
  'rivalwatch:mentions:' || d.id || ':' || e.id AS atom_id,
  e.name || ' in: ' || COALESCE(NULLIF(d.title, ''), d.url, 'a document') AS atom_title,
  {atom_time(WHEN)} AS atom_updated,
  {http_url('d.url', 's.url')} AS atom_link,
  d.text AS atom_content
FROM mentions m JOIN entities e ON e.id = m.entity_id
JOIN documents d ON d.id = m.document_id JOIN sources s ON s.id = d.source_id
LEFT JOIN competitors c ON c.id = d.competitor_id
WHERE :entity = '' OR e.id = :entity OR e.name LIKE '%' || :entity || '%'
ORDER BY published DESC, d.id DESC, e.name
LIMIT 500
"""

RECENT_EVENTS = f"""
SELECT {WHEN} AS published, c.name AS competitor, ev.type, ev.evidence, d.title, d.url,
  d.id AS document_id,
  'rivalwatch:events:' || ev.id AS atom_id,
  COALESCE(c.name, 'Industry') || ' ' || ev.type || ': '
    || COALESCE(NULLIF(d.title, ''), ev.evidence, '') AS atom_title,
  {atom_time(WHEN)} AS atom_updated,
  {http_url('d.url', 's.url')} AS atom_link,
  ev.evidence AS atom_content
FROM events ev JOIN documents d ON d.id = ev.document_id JOIN sources s ON s.id = d.source_id
LEFT JOIN competitors c ON c.id = COALESCE(ev.competitor_id, d.competitor_id)
WHERE {WHEN} >= {SINCE_MONTH} AND (:type = '' OR ev.type = :type)
  AND {competitor_matches('c.id', 'c.name')}
ORDER BY published DESC, ev.id DESC
"""

# Documents (articles, releases, snapshots) through the FTS index; page and price
# changes, which have no index, by requiring every search term.
SEARCH = f"""
SELECT * FROM (
  SELECT {WHEN} AS happened_at, d.kind, c.name AS competitor, d.title,
    snippet(documents_fts, 1, '[', ']', '…', 16) AS excerpt, d.url,
    'documents/' || d.id AS row_path,
    'rivalwatch:documents:' || d.id AS atom_id, COALESCE(NULLIF(d.title, ''), d.url) AS atom_title,
    {atom_time(WHEN)} AS atom_updated, {http_url('d.url', 's.url')} AS atom_link,
    d.text AS atom_content
  FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid
  JOIN sources s ON s.id = d.source_id LEFT JOIN competitors c ON c.id = d.competitor_id
  WHERE documents_fts MATCH rw_fts_query(:q)
  UNION ALL
  SELECT pc.detected_at, 'page change', c.name, COALESCE(s.label, s.id) || ' page changed',
    substr(COALESCE(pc.added, ''), 1, 200), s.url, 'page_changes/' || pc.id,
    'rivalwatch:page_changes:' || pc.id, COALESCE(c.name, s.id) || ': '
      || COALESCE(s.label, 'page') || ' page changed',
    {atom_time('pc.detected_at')}, {http_url('s.url')}, pc.diff
  FROM page_changes pc JOIN sources s ON s.id = pc.source_id
  LEFT JOIN competitors c ON c.id = pc.competitor_id
  WHERE rw_contains_all(pc.diff, :q)
  UNION ALL
  SELECT p.detected_at, 'price change', c.name, p.summary, p.summary, s.url,
    'price_changes/' || p.id, 'rivalwatch:price_changes:' || p.id,
    COALESCE(c.name, s.id) || ': ' || p.summary, {atom_time('p.detected_at')},
    {http_url('s.url')}, p.summary
  FROM price_changes p JOIN sources s ON s.id = p.source_id
  LEFT JOIN competitors c ON c.id = p.competitor_id
  WHERE rw_contains_all(p.summary, :q)
)
ORDER BY happened_at DESC, atom_id
LIMIT 200
"""


def _query(title: str, description: str, sql: str) -> dict:
    return {"title": title, "description": description, "sql": sql.strip()}


def canned_queries() -> dict[str, dict]:
    """The canned queries, by URL name, as Datasette metadata."""
    return {
        "releases_this_week": _query(
            "This week's releases by competitor",
            "Releases since a date (default: the last 7 days), one row per release even when "
            "a changelog and a release feed both announce it. Optional: competitor (id or "
            "name), since (YYYY-MM-DD). Subscribe to the .atom link for new releases.",
            RELEASES_THIS_WEEK),
        "significant_changes": _query(
            "Significant site changes",
            "Watched-page changes at or above a significance (default 0.5; money and plan "
            "changes rank high) since a date (default: the last 30 days), with their diffs.",
            SIGNIFICANT_CHANGES),
        "price_history": _query(
            "Price history of a competitor",
            "Every plan and price seen on a competitor's pricing pages, newest first per plan. "
            "Give a competitor (id or name) and optionally a plan.",
            PRICE_HISTORY),
        "rising_terms": _query(
            "Rising terms this week",
            "Terms counted more often in the newest trend window than their baseline, by "
            "score. Optional: window (the window type), term_kind.",
            RISING_TERMS),
        "entity_mentions": _query(
            "Everything that mentions an entity",
            "Documents mentioning an entity (give its id, or part of its name), newest first.",
            ENTITY_MENTIONS),
        "recent_events": _query(
            "Recent events",
            "Launches, pricing moves, funding and other events since a date (default: the last "
            "30 days). Optional: type, competitor, since.",
            RECENT_EVENTS),
        "search": _query(
            "Search documents, releases and changes",
            "Full-text search over articles, releases and page snapshots, plus page and price "
            "changes containing every word of the query, newest first.",
            SEARCH),
    }
