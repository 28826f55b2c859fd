// Video and sign-language counselling: WebRTC between the citizen's and the counsellor's browsers,
// signalled over the conversation's socket (docs/realtime.md, "Video signalling"). No media is
// recorded: the portal relays only the signalling messages and stores none of them.
//
//   var call = CivicVideo.create({
//     root: element,            // the panel of callcenter/_video_panel.html (buttons, videos, words)
//     polite: true,             // optional: the panel's data-polite (the citizen is polite)
//     iceServers: [...],        // optional: the panel's JSON (STUN/TURN; empty on one machine)
//     send: function (data) { socket.send({type: "signal", data: data}); },
//   });
//   call.receive(data);         // each incoming {"type": "signal"}'s data
//   call.reconnected();         // the socket came back: restart if the call was not connected
//   call.end();                 // the conversation ended: hang up and disable the panel
//
// Negotiation is the "perfect negotiation" pattern: both sides may offer; on a collision the
// polite side rolls back and answers, the impolite side ignores the other's offer. Each page gives
// its peer connection a fresh id, sent with every signal, so messages of an earlier connection (a
// reloaded page, a restart) are recognised and ignored.
(function (global) {
  "use strict";

  function randomId() {
    var bytes = new Uint8Array(8);
    global.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  // The panel's words come from the page, in the reader's language: <li data-word="connected">.
  function words(root) {
    var found = {};
    root.querySelectorAll("[data-word]").forEach(function (node) {
      found[node.dataset.word] = node.textContent.trim();
    });
    return found;
  }

  // STUN/TURN servers as the page was given them (json_script inside the panel).
  function configuredIceServers(root) {
    var node = root.querySelector("script[type='application/json']");
    try {
      return (node && JSON.parse(node.textContent)) || [];
    } catch (e) {
      return [];
    }
  }

  function create(options) {
    var root = options.root;
    var say = words(root);
    var polite = "polite" in options ? !!options.polite : root.dataset.polite === "true";
    var send = options.send;
    var iceServers = options.iceServers || configuredIceServers(root);
    var localVideo = root.querySelector("[data-video-local]");
    var remoteVideo = root.querySelector("[data-video-remote]");
    var stateLine = root.querySelector("[data-video-state]");
    var buttons = {
      start: root.querySelector("[data-video-start]"),
      mute: root.querySelector("[data-video-mute]"),
      camera: root.querySelector("[data-video-camera]"),
      hangup: root.querySelector("[data-video-hangup]"),
    };

    var me = null; // the id of our current peer connection
    var peer = null; // the id of the other side's connection we negotiate with
    var pc = null;
    var media = null; // our camera and microphone, or null (no camera, refused: receive only)
    var started = false;
    var ready = false; // the camera question is settled: we can answer the other side
    var finished = false;
    var makingOffer = false;
    var ignoreOffer = false;
    var settingRemoteAnswer = false;
    var candidates = [];
    var flushTimer = null;
    var mediaNote = "";

    function show(state, extra) {
      root.dataset.state = state;
      var text = say[state] || state;
      if (extra) text += " " + extra;
      stateLine.textContent = text;
    }

    function controls() {
      var live = started && !finished;
      buttons.start.hidden = live || finished;
      buttons.hangup.hidden = !live;
      var audio = media && media.getAudioTracks()[0];
      var video = media && media.getVideoTracks()[0];
      buttons.mute.hidden = !live || !audio;
      buttons.camera.hidden = !live || !video;
      if (audio) {
        buttons.mute.setAttribute("aria-pressed", String(!audio.enabled));
        buttons.mute.textContent = audio.enabled ? say.mute : say.unmute;
      }
      if (video) {
        buttons.camera.setAttribute("aria-pressed", String(!video.enabled));
        buttons.camera.textContent = video.enabled ? say.camera_off : say.camera_on;
      }
    }

    function signal(data) {
      data.id = me;
      if (peer) data.to = peer;
      send(data);
    }

    // ICE candidates go in small batches: one socket message per quarter second rather than one
    // per candidate, well inside the socket's rate limit.
    function queueCandidate(candidate) {
      candidates.push(candidate.toJSON ? candidate.toJSON() : candidate);
      if (!flushTimer) flushTimer = global.setTimeout(flushCandidates, 250);
    }

    function flushCandidates() {
      flushTimer = null;
      if (!candidates.length || !pc) return;
      signal({ kind: "candidate", candidates: candidates.splice(0) });
    }

    function describe(description) {
      signal({ kind: description.type, sdp: description.sdp });
    }

    function closePeer() {
      if (flushTimer) global.clearTimeout(flushTimer);
      flushTimer = null;
      candidates = [];
      if (pc) {
        pc.onnegotiationneeded = pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = null;
        pc.close();
      }
      pc = null;
      remoteVideo.srcObject = null;
      api.pc = null;
    }

    // Our camera and microphone on the connection. The side that makes the first offer adds
    // them at once; the other adds them to the transceivers of that offer once it has arrived.
    function attachMedia(own) {
      if (own.attached) return;
      own.attached = true;
      if (media) {
        media.getTracks().forEach(function (track) {
          own.addTrack(track, media);
        });
      } else if (!polite) {
        // No camera of our own: still see and hear the other side (an interpreter signing).
        own.addTransceiver("video", { direction: "recvonly" });
        own.addTransceiver("audio", { direction: "recvonly" });
      }
    }

    // A fresh connection. The impolite side offers first; the polite side waits for that offer,
    // so the first exchange never collides. Later negotiations (an ICE restart) may start on
    // either side, and collisions are settled by politeness.
    function openPeer() {
      closePeer();
      makingOffer = ignoreOffer = settingRemoteAnswer = false;
      pc = new global.RTCPeerConnection({ iceServers: iceServers });
      api.pc = pc;
      if (!polite) attachMedia(pc);
      pc.onnegotiationneeded = function () {
        var own = pc;
        makingOffer = true;
        own
          .setLocalDescription()
          .then(function () {
            if (own === pc) describe(own.localDescription);
          })
          .catch(function () {
            if (own === pc) show("failed");
          })
          .then(function () {
            makingOffer = false;
          });
      };
      pc.onicecandidate = function (event) {
        if (event.candidate) queueCandidate(event.candidate);
      };
      pc.ontrack = function (event) {
        var stream = event.streams[0] || new global.MediaStream([event.track]);
        if (remoteVideo.srcObject !== stream) remoteVideo.srcObject = stream;
      };
      pc.onconnectionstatechange = function () {
        var s = pc.connectionState;
        if (s === "connected") show("connected", mediaNote);
        else if (s === "disconnected") show("reconnecting");
        else if (s === "failed") {
          show("reconnecting");
          pc.restartIce();
        } else if (s === "connecting") show("connecting");
      };
      show("connecting");
    }

    function getMedia() {
      var md = global.navigator.mediaDevices;
      if (!md || !md.getUserMedia) return Promise.reject({ name: "NotSupportedError" });
      return md.getUserMedia({ video: true, audio: true }).catch(function (error) {
        // Sign language needs the picture, not the sound: a missing microphone is no reason to stop.
        if (error && (error.name === "NotFoundError" || error.name === "OverconstrainedError")) {
          return md.getUserMedia({ video: true, audio: false });
        }
        throw error;
      });
    }

    function start() {
      if (started || finished) return Promise.resolve();
      started = true;
      me = randomId();
      controls();
      show("camera");
      return getMedia()
        .then(
          function (stream) {
            media = stream;
            localVideo.srcObject = stream;
            mediaNote = "";
          },
          function (error) {
            media = null;
            var name = error && error.name;
            mediaNote = name === "NotAllowedError" || name === "SecurityError" ? say.denied : say.no_camera;
          }
        )
        .then(function () {
          if (finished || !started) return;
          ready = true;
          controls();
          show("waiting", mediaNote);
          signal({ kind: "hello" });
        });
    }

    function stopMedia() {
      if (media) {
        media.getTracks().forEach(function (track) {
          track.stop();
        });
      }
      media = null;
      localVideo.srcObject = null;
    }

    function hangup(state) {
      if (!started) return;
      if (me) signal({ kind: "hangup" });
      closePeer();
      stopMedia();
      started = ready = false;
      peer = null;
      me = null;
      controls();
      show(state || "ended");
    }

    function receive(data) {
      if (!data || typeof data !== "object" || finished) return;
      var kind = data.kind;
      if (!ready || !me) return; // not in the call yet: the other side learns of us by our hello
      if (data.to && data.to !== me) return; // meant for an earlier connection of ours
      if (kind === "hello") {
        // The other side (re)started: a fresh connection for it, and tell it who we are. The
        // latest hello wins; a connection to an earlier one (another tab) is hung up first.
        if (peer) signal({ kind: "hangup" });
        peer = data.id;
        openPeer();
        signal({ kind: "welcome" });
        return;
      }
      if (kind === "welcome") {
        // The answer to our hello; only the first, should two of the other side's pages answer.
        if (!peer) {
          peer = data.id;
          openPeer();
        }
        return;
      }
      if (data.id !== peer || !pc) return; // a connection we no longer talk to
      if (kind === "hangup") {
        closePeer();
        peer = null;
        show("peer_left");
        return;
      }
      if (kind === "offer" || kind === "answer") {
        onDescription({ type: kind, sdp: data.sdp });
      } else if (kind === "candidate") {
        (data.candidates || []).forEach(function (candidate) {
          pc.addIceCandidate(candidate).catch(function () {
            // A candidate of an offer we ignored, or of a rolled-back one: harmless.
          });
        });
      }
    }

    function onDescription(description) {
      var own = pc;
      var readyForOffer = !makingOffer && (own.signalingState === "stable" || settingRemoteAnswer);
      var collision = description.type === "offer" && !readyForOffer;
      ignoreOffer = !polite && collision;
      if (ignoreOffer) return;
      settingRemoteAnswer = description.type === "answer";
      own
        .setRemoteDescription(description)
        .then(function () {
          settingRemoteAnswer = false;
          if (description.type !== "offer") return null;
          attachMedia(own);
          return own.setLocalDescription().then(function () {
            if (own === pc) describe(own.localDescription);
          });
        })
        .catch(function () {
          settingRemoteAnswer = false;
          if (own === pc) show("failed");
        });
    }

    function toggle(kind) {
      var track = media && (kind === "audio" ? media.getAudioTracks()[0] : media.getVideoTracks()[0]);
      if (!track) return;
      track.enabled = !track.enabled;
      controls();
    }

    var api = {
      pc: null,
      start: start,
      receive: receive,
      hangup: function () {
        hangup("ended");
      },
      reconnected: function () {
        // Signals sent while the socket was down are lost: begin again unless the call survived.
        if (ready && !finished && (!pc || pc.connectionState !== "connected")) {
          me = randomId();
          peer = null;
          closePeer();
          show("waiting", mediaNote);
          signal({ kind: "hello" });
        }
      },
      end: function () {
        hangup("ended");
        finished = true;
        controls();
        buttons.start.hidden = true;
      },
      get state() {
        return root.dataset.state;
      },
    };

    buttons.start.addEventListener("click", start);
    buttons.hangup.addEventListener("click", api.hangup);
    buttons.mute.addEventListener("click", function () {
      toggle("audio");
    });
    buttons.camera.addEventListener("click", function () {
      toggle("video");
    });
    global.addEventListener("pagehide", function () {
      if (started) hangup("ended");
    });
    controls();
    show(global.RTCPeerConnection ? "idle" : "unsupported");
    if (!global.RTCPeerConnection) buttons.start.disabled = true;
    CivicVideo.calls.push(api);
    return api;
  }

  var CivicVideo = { create: create, calls: [] };
  global.CivicVideo = CivicVideo;
})(window);
