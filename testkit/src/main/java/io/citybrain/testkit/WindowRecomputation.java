package io.citybrain.testkit;

/** The 1 min district windows recomputed from the raw readings, as SQL the ITs compare with. */
public final class WindowRecomputation {

  private WindowRecomputation() {}

  /**
   * One line per closed window whose stored row differs from the recomputation from raw readings,
   * or that only one side has: counts, min and max exact, means within 1e-9. A window is closed
   * when it starts before {@code closedBefore}, an SQL timestamp expression.
   */
  public static String mismatches(String closedBefore) {
    return """
      WITH r AS (
        SELECT district, metric, date_bin('60 seconds', event_time, TIMESTAMPTZ 'epoch') AS ws,
               count(*) AS n, min(value) AS mn, max(value) AS mx, avg(value) AS av
        FROM reading WHERE NOT late GROUP BY 1, 2, 3),
      m AS (SELECT * FROM district_metric WHERE resolution_s = 60)
      SELECT coalesce(r.district, m.district) || ' ' || coalesce(r.metric, m.metric) || ' '
             || coalesce(r.ws, m.window_start) || ': recomputed ' || coalesce(r.n::text, '-') || '/'
             || coalesce(r.mn::text, '-') || '/' || coalesce(r.mx::text, '-') || '/' || coalesce(r.av::text, '-')
             || ', stored ' || coalesce(m.count::text, '-') || '/' || coalesce(m.min::text, '-') || '/'
             || coalesce(m.max::text, '-') || '/' || coalesce(m.mean::text, '-')
      FROM r FULL JOIN m ON m.district = r.district AND m.metric = r.metric AND m.window_start = r.ws
      WHERE coalesce(r.ws, m.window_start) < %s
        AND (m.count IS DISTINCT FROM r.n OR m.min IS DISTINCT FROM r.mn OR m.max IS DISTINCT FROM r.mx
             OR abs(m.mean - r.av) > 1e-9 OR r.av IS NULL OR m.mean IS NULL)
      ORDER BY 1"""
        .formatted(closedBefore);
  }
}
