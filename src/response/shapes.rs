//! The shapes of the objects a thread has read: an object whose keys are
//! those of a kept shape, in the same order, is built by copying that
//! shape's map and setting its values, without hashing its keys again.
//!
//! A `Value` object with `preserve_order` is an `IndexMap` whose keys are
//! hashed with SipHash as they go in; for the incident of a GetIncidents
//! reply (10 keys) that is over 3k instructions, most of what building
//! the object costs beyond its strings. Replies repeat their shapes (every
//! incident, every `meta`), and a copy of a map keeps its hashes and its
//! index, so a map built once per shape serves every later object of it.
//! The copy is the map `serde_json` builds from the same members: the keys
//! in the same order, each once (a shape is kept only from members with
//! no repeated key, and used only for members that are its keys exactly).
//!
//! A copy has room for as many members as its index does (14 for an
//! object of 10 keys, as a map grown one key at a time), where a map
//! built at its final size has room for exactly its members: 256 bytes
//! more for such an object, the price of not hashing its keys.
//!
//! What a thread keeps is bounded: at most [`SHAPES`] shapes of at most
//! [`MAX_KEYS`] keys and [`MAX_KEY_BYTES`] bytes of key text each. When
//! all are taken, one miss in [`REPLACE_EVERY`] replaces the oldest, so
//! a reader of ever-new shapes pays for keeping one now and then, not
//! for every object.

use serde_json::{Map, Value};

/// How many shapes a thread keeps.
const SHAPES: usize = 8;

/// The most keys of a kept shape.
const MAX_KEYS: usize = 32;

/// The most bytes of key text of a kept shape.
const MAX_KEY_BYTES: usize = 512;

/// When every slot is taken, one miss in this many replaces a shape.
const REPLACE_EVERY: u32 = 4;

/// The kept shapes: maps of `Null` values.
#[derive(Default)]
pub(super) struct Shapes {
    kept: Vec<Map<String, Value>>,
    /// The slot the next shape replaces, when all are taken.
    next: usize,
    misses: u32,
}

impl Shapes {
    /// A map of `Null` values whose `n` keys are `key(0)`, `key(1)` ...
    /// (the bytes of their text) in that order: a copy of a kept shape,
    /// or of a shape kept now; [`fill`] then sets its values. `None` when
    /// no shape is kept for these keys and none is kept now: the caller
    /// builds the map itself. A `None` key (text the caller cannot give)
    /// matches no shape.
    pub(super) fn map_for<'k>(
        &mut self,
        n: usize,
        key: impl Fn(usize) -> Option<&'k [u8]>,
    ) -> Option<Map<String, Value>> {
        if !(2..=MAX_KEYS).contains(&n) {
            return None;
        }
        let same = |shape: &Map<String, Value>| {
            shape.len() == n
                && shape
                    .keys()
                    .enumerate()
                    .all(|(i, k)| key(i) == Some(k.as_bytes()))
        };
        match self.kept.iter().find(|shape| same(shape)) {
            Some(shape) => Some(shape.clone()),
            None => self.keep(n, &key).cloned(),
        }
    }

    /// Keeps the shape of `n` keys, if one is kept now (see the module
    /// docs) and the keys make one: each once, not too many, not too long.
    fn keep<'k>(
        &mut self,
        n: usize,
        key: &impl Fn(usize) -> Option<&'k [u8]>,
    ) -> Option<&Map<String, Value>> {
        let slot = if self.kept.len() < SHAPES {
            self.kept.len()
        } else {
            self.misses = self.misses.wrapping_add(1);
            if self.misses % REPLACE_EVERY != 0 {
                return None;
            }
            self.next
        };
        let mut bytes = 0;
        let mut shape = Map::new();
        for i in 0..n {
            let k = std::str::from_utf8(key(i)?).ok()?;
            bytes += k.len();
            if bytes > MAX_KEY_BYTES {
                return None;
            }
            shape.insert(k.to_owned(), Value::Null);
        }
        if shape.len() != n {
            // A repeated key: the object is not a map of `n` keys.
            return None;
        }
        if slot == self.kept.len() {
            self.kept.push(shape);
        } else {
            self.kept[slot] = shape;
            self.next = (slot + 1) % SHAPES;
        }
        self.kept.get(slot)
    }
}

/// `map` (from [`Shapes::map_for`]) with `values` set in its order, one
/// per key.
pub(super) fn fill(
    mut map: Map<String, Value>,
    values: impl Iterator<Item = Value>,
) -> Map<String, Value> {
    for (slot, value) in map.values_mut().zip(values) {
        // A shape's values are `Null`: nothing to drop.
        std::mem::forget(std::mem::replace(slot, value));
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys<'a>(ks: &'a [&'static str]) -> impl Fn(usize) -> Option<&'static [u8]> + 'a {
        move |i| ks.get(i).map(|k| k.as_bytes())
    }

    fn object(shapes: &mut Shapes, ks: &[&'static str]) -> Option<Map<String, Value>> {
        let map = shapes.map_for(ks.len(), keys(ks))?;
        Some(fill(map, (0..ks.len()).map(Value::from)))
    }

    #[test]
    fn builds_the_map_of_its_members_from_a_kept_shape() {
        let mut shapes = Shapes::default();
        let want = json!({"b": 0, "a": 1, "c": 2});
        // Kept the first time, used the second: the same map both times.
        for _ in 0..2 {
            let map = object(&mut shapes, &["b", "a", "c"]).unwrap();
            assert_eq!(Value::Object(map.clone()), want);
            assert_eq!(map.keys().collect::<Vec<_>>(), ["b", "a", "c"]);
            assert_eq!(map.get("a"), Some(&json!(1)), "looked up by its hash");
        }
        assert_eq!(shapes.kept.len(), 1);
        // Other keys, or the same in another order: another shape.
        let map = object(&mut shapes, &["a", "b", "c"]).unwrap();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(shapes.kept.len(), 2);
        assert!(object(&mut shapes, &["a", "b"]).is_some());
        assert_eq!(shapes.kept.len(), 3);
    }

    #[test]
    fn keeps_no_shape_of_repeated_too_few_or_too_many_keys() {
        let mut shapes = Shapes::default();
        assert_eq!(object(&mut shapes, &["a", "b", "a"]), None);
        assert_eq!(object(&mut shapes, &["a"]), None);
        let many: Vec<&'static str> = (0..=MAX_KEYS)
            .map(|i| &*Box::leak(format!("k{i}").into_boxed_str()))
            .collect();
        assert_eq!(object(&mut shapes, &many), None);
        let long: &'static str = Box::leak("x".repeat(MAX_KEY_BYTES).into_boxed_str());
        assert_eq!(object(&mut shapes, &[long, "y"]), None);
        // A key the caller cannot give matches nothing and keeps nothing.
        assert_eq!(shapes.map_for(2, |i| [&b"a"[..]].get(i).copied()), None);
        assert!(shapes.kept.is_empty());
    }

    #[test]
    fn keeps_a_bounded_number_of_shapes() {
        let mut shapes = Shapes::default();
        let names: Vec<&'static str> = (0..4 * SHAPES)
            .map(|i| &*Box::leak(format!("k{i}").into_boxed_str()))
            .collect();
        let mut built = 0;
        for (i, pair) in names.windows(2).enumerate() {
            if let Some(map) = object(&mut shapes, pair) {
                assert_eq!(map.keys().collect::<Vec<_>>(), pair, "pair {i}");
                built += 1;
            }
            assert!(shapes.kept.len() <= SHAPES);
        }
        // The first SHAPES kept at once, then one miss in REPLACE_EVERY.
        let later = names.len() - 1 - SHAPES;
        assert_eq!(built, SHAPES + later / REPLACE_EVERY as usize);
    }
}
