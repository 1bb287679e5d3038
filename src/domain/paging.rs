//! Complete pagination (being written).
