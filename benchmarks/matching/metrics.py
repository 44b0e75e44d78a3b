"""How good a PAIRS file is against the truth.

PAIRS: `left_id, right_id, score, decision` (match | review). Truth: `right_id, left_id`
(empty where the right record has no true partner), `id_class`.

  precision      true matches / matches
  recall         true matches / right records that have a true partner
  f1             their harmonic mean
  recall_any     right records whose true partner is among their match or review pairs /
                 right records that have one
  recall_<class> recall of `match` among right records of that ID class with a partner;
                 recall_valid_ids groups valid and old15 (a number that converts),
                 recall_bad_ids groups missing, mistyped, swapped and relative
  review_share   right records with a review pair and no match / all right records
  extra_matches  matches beyond the first for a right record (the contract allows none)
"""

import duckdb
import pyarrow as pa

VALID_IDS = ("valid", "old15")
BAD_IDS = ("missing", "mistyped", "swapped", "relative")


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def evaluate(pairs: pa.Table, truth: pa.Table) -> dict:
    con = duckdb.connect()
    con.register("pairs", pairs)
    con.register("truth", truth)
    con.execute(
        """
        create table t as
        select right_id::varchar as right_id, nullif(left_id::varchar, '') as left_id,
               id_class
        from truth
        """
    )
    con.execute(
        """
        create table p as
        select left_id::varchar as left_id, right_id::varchar as right_id, decision
        from pairs
        """
    )
    (matches, true_matches, extra) = con.execute(
        """
        select count(*),
               count(*) filter (where p.left_id = t.left_id),
               count(*) - count(distinct p.right_id)
        from p left join t using (right_id) where decision = 'match'
        """
    ).fetchone()
    partnered = con.execute("select count(*) from t where left_id is not null").fetchone()[0]
    right_records = con.execute("select count(*) from t").fetchone()[0]
    found_any = con.execute(
        """
        select count(distinct t.right_id) from t join p
          on p.right_id = t.right_id and p.left_id = t.left_id
        """
    ).fetchone()[0]
    review = con.execute(
        """
        select count(distinct right_id) from p
        where decision = 'review'
          and right_id not in (select right_id from p where decision = 'match')
        """
    ).fetchone()[0]
    by_class = dict(
        (row[0], (row[1], row[2]))
        for row in con.execute(
            """
            select t.id_class, count(*),
                   count(*) filter (where exists (
                       select 1 from p where p.right_id = t.right_id
                         and p.left_id = t.left_id and p.decision = 'match'))
            from t where t.left_id is not null group by 1
            """
        ).fetchall()
    )
    precision = _ratio(true_matches, matches)
    recall = _ratio(true_matches, partnered)
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall
        else None
    )
    out = {
        "right_records": right_records,
        "with_partner": partnered,
        "matches": matches,
        "true_matches": true_matches,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "recall_any": _ratio(found_any, partnered),
        "review_share": _ratio(review, right_records),
        "extra_matches": extra,
    }
    for cls, (total, found) in sorted(by_class.items()):
        out[f"recall_{cls}"] = _ratio(found, total)
    for label, group in (("valid_ids", VALID_IDS), ("bad_ids", BAD_IDS)):
        total = sum(by_class.get(c, (0, 0))[0] for c in group)
        found = sum(by_class.get(c, (0, 0))[1] for c in group)
        out[f"recall_{label}"] = _ratio(found, total)
    return out


def best_threshold(candidates: pa.Table, truth: pa.Table) -> dict:
    """F1 of `match` had the match threshold been chosen with the truth in hand, from each
    right record's best candidate and its score."""
    con = duckdb.connect()
    con.register("c", candidates)
    con.register("truth", truth)
    partnered = con.execute(
        "select count(*) from truth where nullif(left_id::varchar, '') is not null"
    ).fetchone()[0]
    rows = con.execute(
        """
        select c.score, (c.left_id::varchar = truth.left_id::varchar)::int as good
        from c join truth using (right_id) order by c.score desc
        """
    ).fetchall()
    best = {"f1": 0.0, "threshold": None, "precision": None, "recall": None}
    tp = fp = 0
    for i, (score, good) in enumerate(rows):
        tp += good
        fp += 1 - good
        if i + 1 < len(rows) and rows[i + 1][0] == score:
            continue
        precision, recall = tp / (tp + fp), tp / partnered if partnered else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best["f1"]:
            best = {"f1": f1, "threshold": score, "precision": precision, "recall": recall}
    return best
