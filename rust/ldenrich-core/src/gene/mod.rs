//! Gene analysis (placeholder).
