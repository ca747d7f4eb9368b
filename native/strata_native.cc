// The few system calls Node 20 lacks and strata needs: device nodes and fifos
// (whiteouts, layer contents), binary-exact xattrs on links, kernel file locks
// that die with the process, mounts, and SOCK_SEQPACKET sockets (conmon).
// Every function throws an Error carrying `code` (errno name) and `syscall`.
// It is also an SQLite extension (see the end), for a setting better-sqlite3 lacks.
#include <napi.h>
#include "sqlite3ext.h"
#include <uv.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <openssl/evp.h>
#include "digest.h"
#include <sched.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <string>
#include <vector>

void InitInflate(Napi::Env env, Napi::Object exports);  // inflate.cc

namespace {

Napi::Error SysError(Napi::Env env, int err, const char* syscall, const std::string& path) {
  std::string msg = std::string(syscall) + " " + path + ": " + strerror(err);
  Napi::Error e = Napi::Error::New(env, msg);
  const char* name = "EUNKNOWN";
  switch (err) {
    case ENOENT: name = "ENOENT"; break;
    case EEXIST: name = "EEXIST"; break;
    case EPERM: name = "EPERM"; break;
    case EACCES: name = "EACCES"; break;
    case ENODATA: name = "ENODATA"; break;
    case ENOTSUP: name = "ENOTSUP"; break;
    case EINVAL: name = "EINVAL"; break;
    case EWOULDBLOCK: name = "EWOULDBLOCK"; break;
    case EBUSY: name = "EBUSY"; break;
    case ENOTDIR: name = "ENOTDIR"; break;
    case ERANGE: name = "ERANGE"; break;
    case EINTR: name = "EINTR"; break;
    case ECONNREFUSED: name = "ECONNREFUSED"; break;
    case ENOSPC: name = "ENOSPC"; break;
    case EROFS: name = "EROFS"; break;
    case EPIPE: name = "EPIPE"; break;
    case ECONNRESET: name = "ECONNRESET"; break;
    case ENOTCONN: name = "ENOTCONN"; break;
    case EBADF: name = "EBADF"; break;
    case EMSGSIZE: name = "EMSGSIZE"; break;
    case ENAMETOOLONG: name = "ENAMETOOLONG"; break;
    default: break;
  }
  e.Set("code", Napi::String::New(env, name));
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("syscall", Napi::String::New(env, syscall));
  e.Set("path", Napi::String::New(env, path));
  return e;
}

// mknod(path, mode, major, minor): mode includes the file type bits.
Napi::Value Mknod(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  mode_t mode = info[1].As<Napi::Number>().Uint32Value();
  unsigned maj = info[2].As<Napi::Number>().Uint32Value();
  unsigned min = info[3].As<Napi::Number>().Uint32Value();
  if (mknod(path.c_str(), mode, makedev(maj, min)) != 0) {
    SysError(env, errno, "mknod", path).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// lsetxattr(path, name, value: Buffer): never follows a symlink.
Napi::Value Lsetxattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  Napi::Buffer<char> value = info[2].As<Napi::Buffer<char>>();
  if (lsetxattr(path.c_str(), name.c_str(), value.Data(), value.Length(), 0) != 0) {
    SysError(env, errno, "lsetxattr", path).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// lgetxattr(path, name) → Buffer | null (null when the attribute is absent).
Napi::Value Lgetxattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  for (int attempt = 0; attempt < 4; attempt++) {
    ssize_t size = lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (size < 0) {
      if (errno == ENODATA || errno == ENOTSUP) return env.Null();
      SysError(env, errno, "lgetxattr", path).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    std::vector<char> buf(size > 0 ? size : 1);
    ssize_t got = lgetxattr(path.c_str(), name.c_str(), buf.data(), buf.size());
    if (got >= 0) return Napi::Buffer<char>::Copy(env, buf.data(), got);
    if (errno != ERANGE) {
      SysError(env, errno, "lgetxattr", path).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  SysError(env, ERANGE, "lgetxattr", path).ThrowAsJavaScriptException();
  return env.Undefined();
}

// llistxattr(path) → string[] (empty when the file system has none).
Napi::Value Llistxattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  Napi::Array out = Napi::Array::New(env);
  for (int attempt = 0; attempt < 4; attempt++) {
    ssize_t size = llistxattr(path.c_str(), nullptr, 0);
    if (size < 0) {
      if (errno == ENOTSUP) return out;
      SysError(env, errno, "llistxattr", path).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (size == 0) return out;
    std::vector<char> buf(size);
    ssize_t got = llistxattr(path.c_str(), buf.data(), buf.size());
    if (got < 0) {
      if (errno == ERANGE) continue;
      SysError(env, errno, "llistxattr", path).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uint32_t i = 0;
    for (ssize_t pos = 0; pos < got;) {
      std::string name(buf.data() + pos);
      out.Set(i++, Napi::String::New(env, name));
      pos += name.size() + 1;
    }
    return out;
  }
  SysError(env, ERANGE, "llistxattr", path).ThrowAsJavaScriptException();
  return env.Undefined();
}

// flockSync(fd, op): op is LOCK_SH=1, LOCK_EX=2, LOCK_UN=8, |LOCK_NB=4.
// Returns false when LOCK_NB was given and the lock is held elsewhere.
Napi::Value FlockSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int op = info[1].As<Napi::Number>().Int32Value();
  while (flock(fd, op) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
    SysError(env, errno, "flock", std::to_string(fd)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Boolean::New(env, true);
}

// A blocking flock run on the libuv thread pool, so waiting never stalls the event loop.
class FlockWorker : public Napi::AsyncWorker {
 public:
  FlockWorker(Napi::Env env, int fd, int op)
      : Napi::AsyncWorker(env), fd_(fd), op_(op), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    while (flock(fd_, op_) != 0) {
      if (errno == EINTR) continue;
      err_ = errno;
      return;
    }
  }
  void OnOK() override {
    if (err_ != 0) {
      deferred_.Reject(SysError(Env(), err_, "flock", std::to_string(fd_)).Value());
    } else {
      deferred_.Resolve(Env().Undefined());
    }
  }

 private:
  int fd_, op_, err_ = 0;
  Napi::Promise::Deferred deferred_;
};

Napi::Value Flock(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  int op = info[1].As<Napi::Number>().Int32Value();
  auto* worker = new FlockWorker(info.Env(), fd, op);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// mount(source, target, fstype, flags, data)
Napi::Value Mount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string source = info[0].As<Napi::String>();
  std::string target = info[1].As<Napi::String>();
  std::string fstype = info[2].As<Napi::String>();
  unsigned long flags = info[3].As<Napi::Number>().Int64Value();
  std::string data = info[4].As<Napi::String>();
  if (mount(source.c_str(), target.c_str(), fstype.c_str(), flags, data.empty() ? nullptr : data.c_str()) != 0) {
    SysError(env, errno, "mount", target).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// umount2(target, flags)
Napi::Value Umount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string target = info[0].As<Napi::String>();
  int flags = info[1].As<Napi::Number>().Int32Value();
  if (umount2(target.c_str(), flags) != 0) {
    SysError(env, errno, "umount2", target).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// pinNetns(path): a new, empty network namespace bind-mounted on `path` (an existing file), as
// `ip netns add` makes one, without a process. Only the calling thread enters the new namespace,
// and it returns to its own before this returns.
Napi::Value PinNetns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (own < 0) {
    SysError(env, errno, "open", "/proc/thread-self/ns/net").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int err = 0;
  const char* call = "unshare";
  if (unshare(CLONE_NEWNET) != 0) {
    err = errno;
  } else {
    if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
      err = errno;
      call = "mount";
    }
    if (setns(own, CLONE_NEWNET) != 0 && err == 0) {
      err = errno;
      call = "setns";
    }
  }
  close(own);
  if (err != 0) SysError(env, err, call, path).ThrowAsJavaScriptException();
  return env.Undefined();
}

// seqpacketConnect(path) → fd of a connected AF_UNIX SOCK_SEQPACKET socket (blocking).
Napi::Value SeqpacketConnect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  struct sockaddr_un addr;
  if (path.size() >= sizeof(addr.sun_path)) {
    SysError(env, ENAMETOOLONG, "connect", path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    SysError(env, errno, "socket", path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.c_str(), path.size());
  if (connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    close(fd);
    SysError(env, err, "connect", path).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

// recvPacket(fd, maxLen) → Buffer (one whole packet), null at end of stream, or
// undefined when nothing is waiting. Never blocks (MSG_DONTWAIT), so it can be
// called from the event loop whenever an FdWatcher reports the fd readable.
Napi::Value RecvPacket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  size_t max = info[1].As<Napi::Number>().Uint32Value();
  std::vector<char> buf(max > 0 ? max : 1);
  for (;;) {
    ssize_t got = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (got > 0) return Napi::Buffer<char>::Copy(env, buf.data(), got);
    if (got == 0) return env.Null();
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return env.Undefined();
    // The peer going away is the end of the stream, not an error, for a reader.
    if (errno == ECONNRESET) return env.Null();
    SysError(env, errno, "recv", std::to_string(fd)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
}

// sendPacket(fd, data) → true when sent as one packet, false when the socket's
// buffer is full (wait for an FdWatcher's writable event). No SIGPIPE.
Napi::Value SendPacket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Buffer<char> data = info[1].As<Napi::Buffer<char>>();
  for (;;) {
    ssize_t sent = send(fd, data.Data(), data.Length(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return Napi::Boolean::New(env, true);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
    SysError(env, errno, "send", std::to_string(fd)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
}

// shutdown(fd, how): 0 = SHUT_RD, 1 = SHUT_WR (the peer sees end of input), 2 = both.
Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int how = info[1].As<Napi::Number>().Int32Value();
  if (shutdown(fd, how) != 0 && errno != ENOTCONN) {
    SysError(env, errno, "shutdown", std::to_string(fd)).ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// pipe(): [readFd, writeFd], both blocking and close-on-exec. Node makes the pipes it
// spawns children with non-blocking and writes them from the event loop, 64 KB a
// wakeup; a blocking write end can be written with fs.write on the libuv pool instead.
Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    SysError(env, errno, "pipe2", "").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(uint32_t(0), Napi::Number::New(env, fds[0]));
  out.Set(uint32_t(1), Napi::Number::New(env, fds[1]));
  return out;
}

// new FdWatcher(fd, callback(error, readable, writable)): readiness of any fd
// from the event loop itself (uv_poll, i.e. epoll), so reading a socket Node
// cannot wrap (SOCK_SEQPACKET) takes neither a thread nor the thread pool.
// set(readable, writable) chooses what to wait for; close() must be called
// before the fd is closed. libuv makes the fd non-blocking.
class FdWatcher : public Napi::ObjectWrap<FdWatcher> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FdWatcher",
                       {InstanceMethod("set", &FdWatcher::Set), InstanceMethod("close", &FdWatcher::Close)});
  }

  FdWatcher(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<FdWatcher>(info), context_(info.Env(), "strata:FdWatcher") {
    Napi::Env env = info.Env();
    fd_ = info[0].As<Napi::Number>().Int32Value();
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
      Napi::Error::New(env, "no event loop").ThrowAsJavaScriptException();
      return;
    }
    poll_ = new uv_poll_t;
    int rc = uv_poll_init(loop, poll_, fd_);
    if (rc != 0) {
      delete poll_;
      poll_ = nullptr;
      SysError(env, -rc, "uv_poll_init", std::to_string(fd_)).ThrowAsJavaScriptException();
      return;
    }
    poll_->data = this;
  }

  ~FdWatcher() override { Release(); }

 private:
  Napi::Value Set(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!poll_) return env.Undefined();
    int events = (info[0].ToBoolean() ? UV_READABLE : 0) | (info[1].ToBoolean() ? UV_WRITABLE : 0);
    if (events == 0) {
      uv_poll_stop(poll_);
      if (active_) {
        active_ = false;
        Unref();
      }
      return env.Undefined();
    }
    int rc = uv_poll_start(poll_, events, &FdWatcher::OnPoll);
    if (rc != 0) {
      SysError(env, -rc, "uv_poll_start", std::to_string(fd_)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    // While waiting, the JS object must outlive any reference the caller dropped.
    if (!active_) {
      active_ = true;
      Ref();
    }
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (active_) {
      active_ = false;
      Unref();
    }
    Release();
    return info.Env().Undefined();
  }

  void Release() {
    if (!poll_) return;
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
  }

  static void OnPoll(uv_poll_t* handle, int status, int events) {
    auto* self = static_cast<FdWatcher*>(handle->data);
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    Napi::Value err = env.Null();
    if (status < 0) err = SysError(env, -status, "poll", std::to_string(self->fd_)).Value();
    self->callback_.MakeCallback(env.Global(),
                                 {err, Napi::Boolean::New(env, (events & UV_READABLE) != 0),
                                  Napi::Boolean::New(env, (events & UV_WRITABLE) != 0)},
                                 self->context_);
    if (env.IsExceptionPending()) {
      // A throwing callback is an uncaught exception, as for any other event.
      Napi::Error e = env.GetAndClearPendingException();
      napi_fatal_exception(env, e.Value());
    }
  }

  int fd_ = -1;
  bool active_ = false;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference callback_;
  Napi::AsyncContext context_;
};

// Views of a JS array of Buffers, for a pool thread to read: the caller keeps the array
// alive (a persistent reference) until the work is done.
using ByteView = std::pair<const char*, size_t>;
std::vector<ByteView> BufferViews(Napi::Array buffers) {
  std::vector<ByteView> views;
  uint32_t n = buffers.Length();
  views.reserve(n);
  for (uint32_t i = 0; i < n; i++) {
    auto buf = buffers.Get(i).As<Napi::Buffer<char>>();
    views.push_back({buf.Data(), buf.Length()});
  }
  return views;
}

// Regular files of a layer written off the event loop: the tar reader queues
// each file as ops (open, data…, close with its owner, mode and time) and
// hands them over in batches that run one after another on the libuv pool,
// in tar order, while the event loop reads the next entries. One file is
// open at a time (a tar is sequential), so the writer keeps its descriptor
// between batches. run(ops, chunks): `ops` is one buffer of records, parsed
// on the pool thread (so a batch costs the event loop one call), little-endian:
//   0 u16 len, path, u32 mode      open(O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW, mode)
//   1 u32 len, bytes               write these bytes (small pieces, copied into ops)
//   3 u32 index                    write chunks[index] (large pieces, by reference)
//   2 u32 uid, u32 gid, i32 chmod, f64 mtime
//                                  fchown unless 0/0, fchmod unless chmod < 0 (after the
//                                  chown, which clears setuid/setgid), futimens, close
// The caller never runs two batches of one writer at once.
class FileWriter : public Napi::ObjectWrap<FileWriter> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "FileWriter",
                       {InstanceMethod("run", &FileWriter::Run), InstanceMethod("abort", &FileWriter::Abort)});
  }
  FileWriter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FileWriter>(info) {}
  ~FileWriter() override { CloseFd(); }

  int fd_ = -1;
  std::string path_;
  void CloseFd() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:

  class Batch : public Napi::AsyncWorker {
   public:
    Batch(Napi::Env env, FileWriter* w, Napi::Buffer<uint8_t> ops, Napi::Array chunks)
        : Napi::AsyncWorker(env), w_(w), deferred_(Napi::Promise::Deferred::New(env)) {
      // The buffers stay alive (and unmoved) until the batch is done.
      keepOps_ = Napi::Persistent(ops);
      keepChunks_ = Napi::Persistent(chunks);
      ops_ = ops.Data();
      opsLen_ = ops.Length();
      chunks_ = BufferViews(chunks);
    }
    Napi::Promise Promise() { return deferred_.Promise(); }
    void Execute() override {
      size_t pos = 0;
      while (pos < opsLen_) {
        if (!Step(pos)) {
          w_->CloseFd();
          return;
        }
      }
    }
    void OnOK() override {
      keepOps_.Reset();
      keepChunks_.Reset();
      if (err_ != 0) {
        deferred_.Reject(SysError(Env(), err_, syscall_, w_->path_).Value());
      } else {
        deferred_.Resolve(Env().Undefined());
      }
    }

   private:
    template <typename T>
    T Read(size_t& pos) {
      T v;
      memcpy(&v, ops_ + pos, sizeof v);
      pos += sizeof v;
      return v;
    }
    bool Fail(const char* syscall, int err) {
      err_ = err;
      syscall_ = syscall;
      return false;
    }
    bool WriteAll(const char* data, size_t len) {
      if (w_->fd_ < 0) return Fail("write", EBADF);
      size_t off = 0;
      while (off < len) {
        ssize_t n = write(w_->fd_, data + off, len - off);
        if (n < 0) {
          if (errno == EINTR) continue;
          return Fail("write", errno);
        }
        off += static_cast<size_t>(n);
      }
      return true;
    }
    bool Step(size_t& pos) {
      uint8_t kind = ops_[pos++];
      if (kind == 0) {
        uint16_t len = Read<uint16_t>(pos);
        w_->CloseFd();
        w_->path_.assign(reinterpret_cast<const char*>(ops_ + pos), len);
        pos += len;
        int mode = static_cast<int>(Read<uint32_t>(pos));
        w_->fd_ = open(w_->path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        return w_->fd_ >= 0 || Fail("open", errno);
      }
      if (kind == 1) {
        uint32_t len = Read<uint32_t>(pos);
        const char* data = reinterpret_cast<const char*>(ops_ + pos);
        pos += len;
        return WriteAll(data, len);
      }
      if (kind == 3) {
        uint32_t index = Read<uint32_t>(pos);
        if (index >= chunks_.size()) return Fail("write", EINVAL);
        return WriteAll(chunks_[index].first, chunks_[index].second);
      }
      if (kind != 2) {
        pos = opsLen_;
        return Fail("write", EINVAL);
      }
      uint32_t uid = Read<uint32_t>(pos);
      uint32_t gid = Read<uint32_t>(pos);
      int32_t chmodTo = Read<int32_t>(pos);
      double mtime = Read<double>(pos);
      if (w_->fd_ < 0) return Fail("close", EBADF);
      if ((uid != 0 || gid != 0) && fchown(w_->fd_, uid, gid) != 0) return Fail("fchown", errno);
      if (chmodTo >= 0 && fchmod(w_->fd_, chmodTo) != 0) return Fail("fchmod", errno);
      double sec = floor(mtime);
      struct timespec ts[2];
      ts[0].tv_sec = static_cast<time_t>(sec);
      ts[0].tv_nsec = static_cast<long>((mtime - sec) * 1e9);
      if (ts[0].tv_nsec > 999999999) ts[0].tv_nsec = 999999999;
      ts[1] = ts[0];
      if (futimens(w_->fd_, ts) != 0) return Fail("futimens", errno);
      int fd = w_->fd_;
      w_->fd_ = -1;
      return close(fd) == 0 || Fail("close", errno);
    }

    FileWriter* w_;
    const uint8_t* ops_ = nullptr;
    size_t opsLen_ = 0;
    std::vector<ByteView> chunks_;
    Napi::Reference<Napi::Buffer<uint8_t>> keepOps_;
    Napi::Reference<Napi::Array> keepChunks_;
    Napi::Promise::Deferred deferred_;
    int err_ = 0;
    const char* syscall_ = "";
  };

  Napi::Value Run(const Napi::CallbackInfo& info) {
    auto* batch =
        new Batch(info.Env(), this, info[0].As<Napi::Buffer<uint8_t>>(), info[1].As<Napi::Array>());
    Napi::Promise promise = batch->Promise();
    batch->Queue();
    return promise;
  }

  // Closes a file a failed or abandoned apply left open (never while a batch runs).
  Napi::Value Abort(const Napi::CallbackInfo& info) {
    CloseFd();
    return info.Env().Undefined();
  }
};

// SHA-256 of a stream, computed on the libuv pool so the event loop does not
// spend a pull's 300 MB of hashing: run(chunks) hashes the buffers in order in
// one pool task (the caller runs one at a time and keeps their order), hex()
// finishes. OpenSSL is Node's own (its symbols are exported by the node binary).
class Sha256 : public Napi::ObjectWrap<Sha256> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Sha256", {InstanceMethod("run", &Sha256::Run), InstanceMethod("hex", &Sha256::Hex)});
  }
  Sha256(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Sha256>(info) {
    ctx_ = EVP_MD_CTX_new();
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1)
      Napi::Error::New(info.Env(), "cannot start a SHA-256").ThrowAsJavaScriptException();
  }
  ~Sha256() override {
    if (ctx_) EVP_MD_CTX_free(ctx_);
  }

 private:
  class Task : public Napi::AsyncWorker {
   public:
    Task(Napi::Env env, EVP_MD_CTX* ctx, Napi::Array chunks)
        : Napi::AsyncWorker(env), ctx_(ctx), deferred_(Napi::Promise::Deferred::New(env)) {
      keep_ = Napi::Persistent(chunks);
      parts_ = BufferViews(chunks);
    }
    Napi::Promise Promise() { return deferred_.Promise(); }
    void Execute() override {
      for (auto& p : parts_) {
        if (EVP_DigestUpdate(ctx_, p.first, p.second) != 1) {
          ok_ = false;
          return;
        }
      }
    }
    void OnOK() override {
      keep_.Reset();
      if (ok_) deferred_.Resolve(Env().Undefined());
      else deferred_.Reject(Napi::Error::New(Env(), "SHA-256 update failed").Value());
    }

   private:
    EVP_MD_CTX* ctx_;
    std::vector<ByteView> parts_;
    Napi::Reference<Napi::Array> keep_;
    Napi::Promise::Deferred deferred_;
    bool ok_ = true;
  };

  Napi::Value Run(const Napi::CallbackInfo& info) {
    auto* task = new Task(info.Env(), ctx_, info[0].As<Napi::Array>());
    Napi::Promise promise = task->Promise();
    task->Queue();
    return promise;
  }

  Napi::Value Hex(const Napi::CallbackInfo& info) { return FinishHex(info.Env(), ctx_); }

  EVP_MD_CTX* ctx_ = nullptr;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("mknod", Napi::Function::New(env, Mknod));
  exports.Set("lsetxattr", Napi::Function::New(env, Lsetxattr));
  exports.Set("lgetxattr", Napi::Function::New(env, Lgetxattr));
  exports.Set("llistxattr", Napi::Function::New(env, Llistxattr));
  exports.Set("flockSync", Napi::Function::New(env, FlockSync));
  exports.Set("flock", Napi::Function::New(env, Flock));
  exports.Set("mount", Napi::Function::New(env, Mount));
  exports.Set("umount", Napi::Function::New(env, Umount));
  exports.Set("pinNetns", Napi::Function::New(env, PinNetns));
  exports.Set("seqpacketConnect", Napi::Function::New(env, SeqpacketConnect));
  exports.Set("recvPacket", Napi::Function::New(env, RecvPacket));
  exports.Set("sendPacket", Napi::Function::New(env, SendPacket));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown));
  exports.Set("pipe", Napi::Function::New(env, Pipe));
  exports.Set("FdWatcher", FdWatcher::Define(env));
  exports.Set("FileWriter", FileWriter::Define(env));
  exports.Set("Sha256", Sha256::Define(env));
  InitInflate(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(strata_native, Init)

// Loaded by metadata/db.ts with better-sqlite3's loadExtension: the
// connection's close then leaves the WAL as it is, instead of checkpointing
// it into the database and deleting it (two fsyncs at every close, and two
// more for the next writer to create and start a new WAL). SQLite reads a
// WAL it finds back at the next open, as after a crash; metadata/db.ts
// checkpoints itself once the WAL has grown. better-sqlite3 has no binding
// for sqlite3_db_config, hence this entry point.
static const sqlite3_api_routines* sqlite3_api = nullptr;  // SQLITE_EXTENSION_INIT1, not exported

extern "C" __attribute__((visibility("default"))) int sqlite3_stratakeepwal_init(
    sqlite3* db, char** errmsg, const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  (void)errmsg;
  int on = 0;
  int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &on);
  return rc == SQLITE_OK && on == 1 ? SQLITE_OK : SQLITE_ERROR;
}
