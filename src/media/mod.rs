pub mod card;
pub mod sleeve;
