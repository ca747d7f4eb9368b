// gzip decompression in-process, on the libuv pool, with ISA-L (Debian's
// libisal, the library behind igzip): a pull's layer is inflated here and the
// tar's SHA-256 (its diff ID) computed in the same pool task. Through an igzip
// child process every byte crossed two pipes, and the event loop spent ~100 ms
// of a Debian base layer writing the blob into one and reading 64 KB pieces
// out of the other.
//
// new Inflater(); run(input, out, end) queues `input` (Buffers nobody writes
// to again), then on the pool inflates into `out` until it is full or the
// input queued so far is used up, and hashes what it wrote. It resolves
// [written, state]: state 0 = more input wanted, 1 = `out` is full (call again
// to go on), 2 = the stream is complete (`end` was given and every gzip member
// ended; concatenated members are read as one stream, as gzip -d does).
// Corrupt or truncated data rejects with the reason. hex() ends the hash.
// The caller never runs two at once.
#include <napi.h>
#include <isa-l/igzip_lib.h>
#include <openssl/evp.h>
#include "digest.h"
#include <deque>
#include <string>

namespace {

const char* InflateError(int rc) {
  switch (rc) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid deflate distance";
    case ISAL_INVALID_WRAPPER: return "not in gzip format";
    case ISAL_UNSUPPORTED_METHOD: return "unsupported gzip compression method";
    case ISAL_INCORRECT_CHECKSUM: return "gzip checksum mismatch";
    default: return "invalid gzip data";
  }
}

class Inflater : public Napi::ObjectWrap<Inflater> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Inflater",
                       {InstanceMethod("run", &Inflater::Run), InstanceMethod("hex", &Inflater::Hex)});
  }

  Inflater(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Inflater>(info) {
    isal_inflate_init(&state_);
    state_.avail_in = 0;
    state_.crc_flag = ISAL_GZIP;
    sha_ = EVP_MD_CTX_new();
    if (!sha_ || EVP_DigestInit_ex(sha_, EVP_sha256(), nullptr) != 1)
      Napi::Error::New(info.Env(), "cannot start a SHA-256").ThrowAsJavaScriptException();
  }
  ~Inflater() override {
    if (sha_) EVP_MD_CTX_free(sha_);
  }

 private:
  // An input Buffer, kept alive until ISA-L has read all of it.
  struct Piece {
    Napi::Reference<Napi::Buffer<uint8_t>> keep;
    uint8_t* data;
    uint32_t len;
  };

  class Task : public Napi::AsyncWorker {
   public:
    Task(Napi::Env env, Inflater* self, Napi::Buffer<uint8_t> out)
        : Napi::AsyncWorker(env), self_(self), deferred_(Napi::Promise::Deferred::New(env)) {
      keepOut_ = Napi::Persistent(out);
      out_ = out.Data();
      outLen_ = out.Length();
    }
    Napi::Promise Promise() { return deferred_.Promise(); }

    void Execute() override {
      inflate_state& s = self_->state_;
      s.next_out = out_;
      s.avail_out = static_cast<uint32_t>(outLen_);
      while (s.avail_out > 0) {
        if (self_->junk_) break;
        if (s.block_state == ISAL_BLOCK_FINISH) {
          if (!NextMember()) break;
          isal_inflate_reset(&s);
          s.crc_flag = ISAL_GZIP;
        }
        if (s.avail_in == 0) self_->Advance();
        uint32_t in = s.avail_in, out = s.avail_out;
        int rc = isal_inflate(&s);
        if (rc < 0) {
          error_ = InflateError(rc);
          break;
        }
        if (self_->has_ && s.next_in < self_->pieces_[self_->cur_].data) {
          // ISA-L handed back bytes of a piece already let go (it never does for gzip).
          error_ = "gzip stream misread";
          break;
        }
        // Nothing read and nothing written: it waits for input not queued yet.
        if (s.avail_in == in && s.avail_out == out && s.block_state != ISAL_BLOCK_FINISH) break;
      }
      written_ = outLen_ - s.avail_out;
      if (written_ > 0 && EVP_DigestUpdate(self_->sha_, out_, written_) != 1) error_ = "SHA-256 update failed";
    }

    void OnOK() override {
      Napi::Env env = Env();
      keepOut_.Reset();
      self_->Release();
      self_->Unref();
      if (error_) {
        deferred_.Reject(Napi::Error::New(env, error_).Value());
        return;
      }
      bool drained = !self_->has_ && self_->pieces_.empty();
      int state = written_ == outLen_ ? 1 : 0;
      if (state == 0 && drained && self_->end_) {
        if (self_->state_.block_state != ISAL_BLOCK_FINISH && !self_->junk_) {
          deferred_.Reject(Napi::Error::New(env, "unexpected end of gzip data").Value());
          return;
        }
        state = 2;
      }
      Napi::Array result = Napi::Array::New(env, 2);
      result.Set(uint32_t(0), Napi::Number::New(env, static_cast<double>(written_)));
      result.Set(uint32_t(1), Napi::Number::New(env, state));
      deferred_.Resolve(result);
    }

   private:
    // After a member: true when another one starts (gzip's magic bytes). Other bytes are
    // trailing junk, ignored as gzip -d and igzip ignore them; false also while the next
    // bytes have not arrived.
    bool NextMember() {
      uint8_t b[2];
      int n = self_->Peek(b, 2);
      if (n == 0) return false;
      if (b[0] != 0x1f || (n == 2 && b[1] != 0x8b)) {
        self_->junk_ = true;
        return false;
      }
      // A lone 0x1f at the very end is inflated, to fail as a truncated member.
      return n == 2 || self_->end_;
    }

    Inflater* self_;
    Napi::Reference<Napi::Buffer<uint8_t>> keepOut_;
    uint8_t* out_;
    size_t outLen_;
    size_t written_ = 0;
    const char* error_ = nullptr;
    Napi::Promise::Deferred deferred_;
  };

  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Array input = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < input.Length(); i++) {
      auto buf = input.Get(i).As<Napi::Buffer<uint8_t>>();
      if (buf.Length() == 0) continue;
      pieces_.push_back({Napi::Persistent(buf), buf.Data(), static_cast<uint32_t>(buf.Length())});
    }
    end_ = info[2].ToBoolean();
    Ref();  // the inflater outlives its task whatever JS still refers to (Unref in OnOK)
    auto* task = new Task(info.Env(), this, info[1].As<Napi::Buffer<uint8_t>>());
    Napi::Promise promise = task->Promise();
    task->Queue();
    return promise;
  }

  Napi::Value Hex(const Napi::CallbackInfo& info) { return FinishHex(info.Env(), sha_); }

  // Points ISA-L at the next queued piece once the current one is read; false when none is left.
  bool Advance() {
    if (has_) cur_++;
    has_ = cur_ < pieces_.size();
    if (!has_) return false;
    state_.next_in = pieces_[cur_].data;
    state_.avail_in = pieces_[cur_].len;
    return true;
  }

  // Up to n of the next unread bytes, across pieces; how many there were.
  int Peek(uint8_t* b, int n) {
    int got = 0;
    for (uint32_t i = 0; i < state_.avail_in && got < n; i++) b[got++] = state_.next_in[i];
    for (size_t p = has_ ? cur_ + 1 : cur_; p < pieces_.size() && got < n; p++)
      for (uint32_t i = 0; i < pieces_[p].len && got < n; i++) b[got++] = pieces_[p].data[i];
    return got;
  }

  // On the main thread after a task: lets go of the pieces read (all of them after junk).
  void Release() {
    size_t read = cur_;
    if (has_ && (state_.avail_in == 0 || junk_)) {
      read++;
      has_ = false;
    }
    if (junk_) read = pieces_.size();
    for (size_t i = 0; i < read && !pieces_.empty(); i++) pieces_.pop_front();
    cur_ = 0;
    if (!has_) state_.avail_in = 0;
  }

  inflate_state state_;
  EVP_MD_CTX* sha_ = nullptr;
  std::deque<Piece> pieces_;
  // pieces_[cur_] is the piece ISA-L reads when has_; those before it are read.
  size_t cur_ = 0;
  bool has_ = false;
  bool end_ = false;
  // Bytes after the last member that are not another member: dropped.
  bool junk_ = false;
};

}  // namespace

void InitInflate(Napi::Env env, Napi::Object exports) { exports.Set("Inflater", Inflater::Define(env)); }
