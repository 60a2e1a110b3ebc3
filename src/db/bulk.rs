//! Writing many rows at once: multi-row `insert ... values (...), (...)`
//! statements, plain SQL both backends accept, each carrying as many rows as
//! [`PARAMS_PER_STATEMENT`] allows. One statement is one round trip to the
//! database instead of one per row, and every full statement of a table has
//! the same text, so the driver prepares it once and reuses it.
//!
//! The one place the backends differ here is how a placeholder is written
//! ([`Placeholders`]): `$N` on PostgreSQL, a bare `?` on SQLite.
//!
//! The import and `cuesheet demo-data` write through here; the editor desk
//! writes its one article or record through the same functions.

use std::borrow::Cow;
use std::sync::Arc;

use sqlx::AnyConnection;

use super::Result;

/// Bound parameters per statement: a few thousand make the round trips
/// and statement texts few, far below either backend's limit (SQLite
/// 32,766, PostgreSQL 65,535).
pub(crate) const PARAMS_PER_STATEMENT: usize = 4000;

/// How a statement's placeholders are written. SQLite's driver finds a
/// named placeholder (`$N`, `?N`) by walking the statement's list of names,
/// so binding costs grow with the square of the parameters of a statement
/// (at a thousand they cost more than the rows' writing); a bare `?` is
/// bound by its position at once. PostgreSQL knows only `$N`, bound by
/// position too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placeholders {
    /// `?`, `?`, ... (SQLite).
    Bare,
    /// `$1`, `$2`, ... (PostgreSQL).
    Numbered,
}

impl Placeholders {
    /// The style of the backend `conn` talks to.
    pub(crate) fn of(conn: &AnyConnection) -> Self {
        if conn.backend_name() == "SQLite" { Placeholders::Bare } else { Placeholders::Numbered }
    }

    /// Placeholder `n` (from 1) after `sep`, written onto `sql`.
    fn write(self, sql: &mut String, sep: &str, n: usize) {
        use std::fmt::Write as _;
        sql.push_str(sep);
        match self {
            Placeholders::Bare => sql.push('?'),
            Placeholders::Numbered => {
                // Writing into a String cannot fail.
                let _ = write!(sql, "${n}");
            }
        }
    }
}

/// A table written in bulk: its columns, and what follows the values
/// (`on conflict ...`, `returning ...`), the same for every statement.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub suffix: &'static str,
}

impl Table {
    /// Rows per statement.
    fn rows_per_statement(&self) -> usize {
        (PARAMS_PER_STATEMENT / self.columns.len()).max(1)
    }

    /// `insert into t (a, b) values ($1, $2), ($3, $4) suffix` for `rows` rows.
    pub(crate) fn insert_sql(&self, rows: usize, style: Placeholders) -> String {
        let width = self.columns.len();
        let mut sql = format!("insert into {} ({}) values ", self.name, self.columns.join(", "));
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                style.write(&mut sql, if c == 0 { "" } else { ", " }, r * width + c + 1);
            }
            sql.push(')');
        }
        if !self.suffix.is_empty() {
            sql.push(' ');
            sql.push_str(self.suffix);
        }
        sql
    }
}

/// One value of a row: an integer or a text, either of them maybe null.
/// Text is borrowed where the caller holds it, so a row costs no copy
/// until it is bound.
#[derive(Debug, Clone)]
pub(crate) enum Value<'a> {
    Int(Option<i64>),
    Text(Option<Cow<'a, str>>),
}

impl From<i64> for Value<'_> {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(v: &'a str) -> Self {
        Value::Text(Some(Cow::Borrowed(v)))
    }
}

impl From<String> for Value<'_> {
    fn from(v: String) -> Self {
        Value::Text(Some(Cow::Owned(v)))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Value::Text(v.map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Value<'_> {
    fn from(v: Option<String>) -> Self {
        Value::Text(v.map(Cow::Owned))
    }
}

impl<'a> From<&'a Option<String>> for Value<'a> {
    fn from(v: &'a Option<String>) -> Self {
        Value::Text(v.as_deref().map(Cow::Borrowed))
    }
}

/// Rows waiting to be written to one table, flat, in order.
#[derive(Debug)]
pub(crate) struct Rows<'a> {
    table: &'static Table,
    values: Vec<Value<'a>>,
}

impl<'a> Rows<'a> {
    pub(crate) fn new(table: &'static Table) -> Self {
        Rows { table, values: Vec::new() }
    }

    /// Adds one row: a value per column, in the table's order.
    pub(crate) fn push<const N: usize>(&mut self, row: [Value<'a>; N]) {
        debug_assert_eq!(N, self.table.columns.len(), "a row of {}", self.table.name);
        self.values.extend(row);
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len() / self.table.columns.len()
    }

    /// Writes every row.
    pub(crate) async fn execute(self, tx: &mut AnyConnection) -> Result<()> {
        let style = Placeholders::of(tx);
        for (sql, chunk) in self.statements(style) {
            bind(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk).execute(&mut *tx).await?;
        }
        Ok(())
    }

    /// Writes every row and returns what the table's `returning` clause
    /// gives for each.
    pub(crate) async fn fetch_all<T>(self, tx: &mut AnyConnection) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut out = Vec::with_capacity(self.len());
        let style = Placeholders::of(tx);
        for (sql, chunk) in self.statements(style) {
            for row in bind(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk).fetch_all(&mut *tx).await? {
                out.push(T::from_row(&row)?);
            }
        }
        Ok(out)
    }

    /// The statements, each with its values: the text of a full statement
    /// is made once and shared.
    fn statements(self, style: Placeholders) -> impl Iterator<Item = (Arc<str>, Vec<Value<'a>>)> {
        let width = self.table.columns.len();
        let per = self.table.rows_per_statement();
        let rows = self.len();
        let full: Option<Arc<str>> = (rows >= per).then(|| self.table.insert_sql(per, style).into());
        let table = self.table;
        let mut values = self.values.into_iter();
        let mut left = rows;
        std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            let n = left.min(per);
            left -= n;
            let sql = match &full {
                Some(sql) if n == per => Arc::clone(sql),
                _ => table.insert_sql(n, style).into(),
            };
            Some((sql, values.by_ref().take(n * width).collect()))
        })
    }
}

/// Binds a statement's values in order.
fn bind<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    values: Vec<Value<'_>>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for v in values {
        query = match v {
            Value::Int(v) => query.bind(v),
            Value::Text(Some(Cow::Borrowed(v))) => query.bind(v),
            Value::Text(Some(Cow::Owned(v))) => query.bind(v),
            Value::Text(None) => query.bind(None::<String>),
        };
    }
    query
}

/// Runs `sql`, whose `{list}` stands for a list of placeholders, once per
/// chunk of `ids`: `delete from t where id in ({list})` for many rows in
/// few statements. An empty list runs nothing.
pub(crate) async fn execute_in(tx: &mut AnyConnection, sql: &'static str, ids: &[i64]) -> Result<()> {
    let style = Placeholders::of(tx);
    let mut full: Option<Arc<str>> = None;
    for chunk in ids.chunks(PARAMS_PER_STATEMENT) {
        let text = if chunk.len() == PARAMS_PER_STATEMENT {
            Arc::clone(full.get_or_insert_with(|| list_sql(sql, chunk.len(), style).into()))
        } else {
            list_sql(sql, chunk.len(), style).into()
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(text));
        for &id in chunk {
            query = query.bind(id);
        }
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

/// `sql` with `{list}` replaced by `n` placeholders.
fn list_sql(sql: &str, n: usize, style: Placeholders) -> String {
    let mut list = String::new();
    for i in 1..=n {
        style.write(&mut list, if i == 1 { "" } else { ", " }, i);
    }
    sql.replace("{list}", &list)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAIRS: Table = Table { name: "article_tags", columns: &["article_id", "tag_id"], suffix: "" };
    const TAGS: Table =
        Table { name: "tags", columns: &["slug", "name"], suffix: "on conflict (slug) do nothing returning id" };

    #[test]
    fn insert_statements_number_every_placeholder() {
        use Placeholders::{Bare, Numbered};
        assert_eq!(
            PAIRS.insert_sql(2, Numbered),
            "insert into article_tags (article_id, tag_id) values ($1, $2), ($3, $4)"
        );
        assert_eq!(PAIRS.insert_sql(2, Bare), "insert into article_tags (article_id, tag_id) values (?, ?), (?, ?)");
        assert_eq!(
            TAGS.insert_sql(1, Numbered),
            "insert into tags (slug, name) values ($1, $2) on conflict (slug) do nothing returning id"
        );
        let delete = "delete from t where id in ({list})";
        assert_eq!(list_sql(delete, 3, Numbered), "delete from t where id in ($1, $2, $3)");
        assert_eq!(list_sql(delete, 2, Bare), "delete from t where id in (?, ?)");
    }

    #[test]
    fn rows_are_cut_into_full_statements_and_the_rest() {
        let mut rows = Rows::new(&PAIRS);
        let per = PAIRS.rows_per_statement();
        for i in 0..(2 * per + 3) as i64 {
            rows.push([i.into(), (i + 1).into()]);
        }
        let statements: Vec<_> = rows.statements(Placeholders::Numbered).collect();
        let sizes: Vec<usize> = statements.iter().map(|(_, v)| v.len() / 2).collect();
        assert_eq!(sizes, [per, per, 3]);
        assert!(Arc::ptr_eq(&statements[0].0, &statements[1].0), "one text for every full statement");
        assert_eq!(&*statements[2].0, PAIRS.insert_sql(3, Placeholders::Numbered));
        assert!(matches!(statements[2].1[5], Value::Int(Some(v)) if v == (2 * per + 2) as i64 + 1));
    }
}
