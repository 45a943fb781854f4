//! The phone's rules as sentences: given a console, when something happens, then what it does
//! and shows. Native tests, no browser.

mod audio;
mod call;
mod device;
mod given;
mod presence;
mod tabs;
