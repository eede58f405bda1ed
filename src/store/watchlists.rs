//! Saved searches: a name for a query of the search language, so a user can export or
//! subscribe to "every AWS us-east-1 outage" without retyping it.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, corrupt, decode_time, encode_time, sql_error};

/// One saved search.
#[derive(Debug, Clone, PartialEq)]
pub struct Watchlist {
    pub name: String,
    pub query: String,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Saves (or replaces) the search `name`.
    pub fn save_watchlist(
        &mut self,
        name: &str,
        query: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO watchlists (name, query, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET query = excluded.query",
                params![name, query, encode_time(at)],
            )
            .map_err(|e| sql_error(&self.db, &format!("saving watchlist {name}"), e))?;
        Ok(())
    }

    /// The saved search `name` (any case), if there is one.
    pub fn watchlist(&self, name: &str) -> Result<Option<Watchlist>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT name, query, created_at FROM watchlists WHERE name = ?1",
                [name],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| sql_error(&self.db, &format!("reading watchlist {name}"), e))?;
        row.map(|row| self.watchlist_from(row)).transpose()
    }

    /// Every saved search, by name.
    pub fn watchlists(&self) -> Result<Vec<Watchlist>, StoreError> {
        let op = "listing watchlists";
        let mut stmt = self
            .conn
            .prepare("SELECT name, query, created_at FROM watchlists ORDER BY name")
            .map_err(|e| sql_error(&self.db, op, e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| sql_error(&self.db, op, e))?;
        rows.into_iter()
            .map(|row| self.watchlist_from(row))
            .collect()
    }

    /// Deletes the saved search `name`; false when there was none.
    pub fn remove_watchlist(&mut self, name: &str) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM watchlists WHERE name = ?1", [name])
            .map_err(|e| sql_error(&self.db, &format!("removing watchlist {name}"), e))?;
        Ok(n > 0)
    }

    fn watchlist_from(
        &self,
        (name, query, at): (String, String, String),
    ) -> Result<Watchlist, StoreError> {
        let created_at = decode_time(&at).map_err(|e| {
            corrupt(
                &self.db,
                format!("the creation time of watchlist {name}"),
                e,
            )
        })?;
        Ok(Watchlist {
            name,
            query,
            created_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_searches_round_trip_and_replace_by_name() {
        let mut store = Store::open_in_memory().expect("store");
        let at = Utc::now();
        store
            .save_watchlist("aws-east", "vendor:AWS region:us-east-1", at)
            .expect("save");
        store
            .save_watchlist(
                "AWS-East",
                "vendor:AWS region:us-east-1 severity:critical",
                at,
            )
            .expect("replace");
        let all = store.watchlists().expect("list");
        assert_eq!(all.len(), 1);
        assert_eq!(
            all[0].query,
            "vendor:AWS region:us-east-1 severity:critical"
        );
        assert_eq!(
            store.watchlist("AWS-EAST").expect("read").map(|w| w.name),
            Some("aws-east".into())
        );
        assert!(store.remove_watchlist("aws-east").expect("remove"));
        assert!(!store.remove_watchlist("aws-east").expect("remove again"));
        assert_eq!(store.watchlist("aws-east").expect("read"), None);
    }
}
