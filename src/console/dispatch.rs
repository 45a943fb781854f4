//! How a click reaches the phone: events handed to the driver (in the browser; on the server
//! there is no phone and events go nowhere).

use leptos::prelude::*;

use super::phone::{Console, Input};

/// Hands events to the driver (in the browser; on the server there is no phone and events go
/// nowhere). `Copy`, so every button and row can hold one.
#[derive(Clone, Copy)]
pub struct Dispatch {
    #[cfg(feature = "hydrate")]
    driver: StoredValue<std::rc::Rc<dyn Fn(Input)>, LocalStorage>,
}

impl Dispatch {
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    pub fn new(console: RwSignal<Console>, initial: Vec<super::phone::Task>) -> Self {
        #[cfg(feature = "hydrate")]
        return Dispatch { driver: StoredValue::new_local(super::driver::Driver::start(console, initial)) };
        #[cfg(not(feature = "hydrate"))]
        Dispatch {}
    }

    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    pub fn send(self, event: Input) {
        #[cfg(feature = "hydrate")]
        if let Some(driver) = self.driver.try_get_value() {
            driver(event)
        }
    }
}
