//! Cutting decoded policy text into classifiable clause units.

mod unit;

pub use unit::{Unit, UnitKind};
