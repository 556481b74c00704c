//! "Network N has news": how the live streams of this server hear that they should read
//! again. It carries no content (that is read from the database by whoever is woken,
//! with its access checked). A server's own writes announce it after their commit; on
//! PostgreSQL other servers' writes arrive through `NOTIFY rondom_news` and the change
//! listener.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::Notify;

/// The subscriptions of this server's open streams, by topic: a network's id, or
/// `user:<id>` for what concerns one person outside the networks they are in.
#[derive(Default)]
pub struct News {
    topics: Mutex<HashMap<String, Vec<Weak<Notify>>>>,
}

/// The topic of news for one person (they were added to a network, a setting changed).
pub fn user_topic(user_id: &str) -> String {
    format!("user:{user_id}")
}

impl News {
    /// Wakes the subscriber `wake` on news about any of `topics` (until it is dropped).
    pub fn subscribe(&self, topics: &[String], wake: &Arc<Notify>) {
        let mut map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        for t in topics {
            let subs = map.entry(t.clone()).or_default();
            subs.retain(|w| w.strong_count() > 0);
            if !subs.iter().any(|w| w.ptr_eq(&Arc::downgrade(wake))) {
                subs.push(Arc::downgrade(wake));
            }
        }
    }

    /// Tells everyone subscribed to `topic`.
    pub fn announce(&self, topic: &str) {
        let mut map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        let now_empty = match map.get_mut(topic) {
            Some(subs) => {
                subs.retain(|w| match w.upgrade() {
                    Some(n) => {
                        n.notify_one();
                        true
                    }
                    None => false,
                });
                subs.is_empty()
            }
            None => false,
        };
        if now_empty {
            map.remove(topic);
        }
    }

    /// Tells every subscriber: after the listener was away, anything may have happened.
    pub fn announce_all(&self) {
        let mut map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, subs| {
            subs.retain(|w| match w.upgrade() {
                Some(n) => {
                    n.notify_one();
                    true
                }
                None => false,
            });
            !subs.is_empty()
        });
    }

    /// How many topics have a live subscriber (for the metrics and tests).
    pub fn topics(&self) -> usize {
        let map = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        map.values()
            .filter(|s| s.iter().any(|w| w.strong_count() > 0))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_subscriber_hears_its_topics_only_while_it_lives() {
        let news = News::default();
        let wake = Arc::new(Notify::new());
        let other = Arc::new(Notify::new());
        news.subscribe(&["n1".into(), user_topic("u1")], &wake);
        news.subscribe(&[user_topic("u1")], &other);
        news.announce("n1");
        // The permit of the announcement is kept until the subscriber waits for it.
        let woken = tokio::time::timeout(std::time::Duration::from_secs(5), wake.notified()).await;
        assert!(woken.is_ok(), "the subscriber of n1 is woken");
        assert_eq!(news.topics(), 2);
        drop(wake);
        news.announce("n1");
        assert_eq!(
            news.topics(),
            1,
            "n1 went with its only subscriber; u1 keeps the other"
        );
    }
}
