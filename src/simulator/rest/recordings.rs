//! `Recordings`: what `<Record>` left, as Twilio serves it.
//!
//! - `GET Recordings/{RE}.wav` answers a short real WAV (`audio/x-wav`): 8 kHz mono 16-bit, a soft
//!   tone of [`AUDIO_MS_PER_SEC`] per second of the recording (at least that, at most
//!   [`MAX_AUDIO_MS`]), so players and downloads work without shipping real audio. `.mp3` answers
//!   the same bytes labelled `audio/mpeg` (the simulator has no MP3 encoder; nothing here decodes
//!   them), and a bare `Recordings/{RE}` (Twilio's default) the WAV;
//! - `GET Recordings/{RE}.json` answers the resource; `DELETE Recordings/{RE}.json` (or without
//!   the extension) deletes it: 204, then 404 like any unknown recording (20404);
//! - `GET Recordings.json[?CallSid=…]` and `GET Calls/{CA}/Recordings.json` list them.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::wire::{ok, page, ApiError, ApiResult, Form, API};
use crate::simulator::driver::Simulator;
use crate::simulator::engine::RecordingView;

/// Milliseconds of audio served per second of recording.
pub const AUDIO_MS_PER_SEC: u64 = 250;
/// The longest audio served.
pub const MAX_AUDIO_MS: u64 = 2000;
const SAMPLE_RATE: u32 = 8000;

/// What a recording's path segment asks for.
enum Format {
    Json,
    Wav,
    Mp3,
}

fn split(segment: &str) -> (&str, Format) {
    if let Some(sid) = segment.strip_suffix(".json") {
        (sid, Format::Json)
    } else if let Some(sid) = segment.strip_suffix(".wav") {
        (sid, Format::Wav)
    } else if let Some(sid) = segment.strip_suffix(".mp3") {
        (sid, Format::Mp3)
    } else {
        (segment, Format::Wav)
    }
}

pub(super) async fn fetch_recording(State(sim): State<Simulator>, Path((_, segment)): Path<(String, String)>, uri: Uri) -> ApiResult {
    let (sid, format) = split(&segment);
    let recording = sim.recording(sid).ok_or_else(|| ApiError::not_found(&uri))?;
    Ok(match format {
        Format::Json => ok(recording_json(&sim.config().account_sid, &recording)),
        Format::Wav => audio("audio/x-wav", &recording),
        Format::Mp3 => audio("audio/mpeg", &recording),
    })
}

pub(super) async fn delete_recording(State(sim): State<Simulator>, Path((_, segment)): Path<(String, String)>, uri: Uri) -> ApiResult {
    let (sid, _) = split(&segment);
    sim.apply(|e, _| e.delete_recording(sid)).map_err(|e| ApiError::from_sim(e, &uri))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn list_recordings(State(sim): State<Simulator>, uri: Uri) -> ApiResult {
    let query = Form::parse(uri.query().unwrap_or_default().as_bytes());
    Ok(listing(&sim, &uri, query.get("CallSid").as_deref()))
}

pub(super) async fn list_call_recordings(State(sim): State<Simulator>, Path((_, call)): Path<(String, String)>, uri: Uri) -> ApiResult {
    Ok(listing(&sim, &uri, Some(&call)))
}

fn listing(sim: &Simulator, uri: &Uri, call_sid: Option<&str>) -> Response {
    let account = &sim.config().account_sid;
    let items = sim.recordings(call_sid).iter().map(|r| recording_json(account, r)).collect();
    ok(page("recordings", uri, items))
}

fn audio(content_type: &'static str, r: &RecordingView) -> Response {
    ([(header::CONTENT_TYPE, content_type)], wav(r.duration_secs)).into_response()
}

pub(super) fn recording_json(account: &str, r: &RecordingView) -> Value {
    let uri = format!("{API}/{account}/Recordings/{}.json", r.sid);
    json!({
        "sid": r.sid,
        "account_sid": account,
        "call_sid": r.call_sid,
        "conference_sid": null,
        "api_version": "2010-04-01",
        "channels": 1,
        "duration": r.duration_secs.to_string(),
        "status": "completed",
        "source": "RecordVerb",
        "error_code": null,
        "price": null,
        "price_unit": "USD",
        "encryption_details": null,
        "start_time": r.start_time,
        "date_created": r.date_created,
        "date_updated": r.date_created,
        "media_url": format!("{}.wav", r.url),
        "uri": uri,
        "subresource_uris": {
            "transcriptions": format!("{API}/{account}/Recordings/{}/Transcriptions.json", r.sid),
        },
    })
}

/// A WAV file (RIFF, PCM 8 kHz mono 16-bit) of a soft 440 Hz tone for a recording of `secs`.
pub fn wav(secs: u64) -> Vec<u8> {
    let ms = (secs.max(1) * AUDIO_MS_PER_SEC).min(MAX_AUDIO_MS);
    let samples = (u64::from(SAMPLE_RATE) * ms / 1000) as u32;
    let data_len = samples * 2;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes()); // bytes a second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits a sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let t = i as f32 / SAMPLE_RATE as f32;
        let sample = (1500.0 * (2.0 * std::f32::consts::PI * 440.0 * t).sin()) as i16;
        out.extend_from_slice(&sample.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wav_is_a_valid_pcm_file_whose_length_follows_the_duration() {
        let one = wav(1);
        assert_eq!(&one[0..4], b"RIFF");
        assert_eq!(&one[8..16], b"WAVEfmt ");
        assert_eq!(u32::from_le_bytes(one[4..8].try_into().unwrap()) as usize, one.len() - 8);
        assert_eq!(u32::from_le_bytes(one[40..44].try_into().unwrap()) as usize, one.len() - 44);
        assert_eq!(one.len(), 44 + 2 * 2000, "250 ms at 8 kHz, 2 bytes a sample");
        assert_eq!(wav(0).len(), one.len(), "at least 250 ms");
        assert_eq!(wav(3600).len(), 44 + 2 * 16_000, "at most 2 s");
    }
}
