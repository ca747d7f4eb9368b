// The few system calls Node 20 lacks and strata needs: device nodes and fifos
// (whiteouts, layer contents), binary-exact xattrs on links, kernel file locks
// that die with the process, mounts, and SOCK_SEQPACKET sockets (conmon).
// Every function throws an Error carrying `code` (errno name) and `syscall`.
#include <napi.h>
#include <errno.h>
#include <fcntl.h>
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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("mknod", Napi::Function::New(env, Mknod));
  exports.Set("lsetxattr", Napi::Function::New(env, Lsetxattr));
  exports.Set("lgetxattr", Napi::Function::New(env, Lgetxattr));
  exports.Set("llistxattr", Napi::Function::New(env, Llistxattr));
  exports.Set("flockSync", Napi::Function::New(env, FlockSync));
  exports.Set("flock", Napi::Function::New(env, Flock));
  exports.Set("mount", Napi::Function::New(env, Mount));
  exports.Set("umount", Napi::Function::New(env, Umount));
  exports.Set("seqpacketConnect", Napi::Function::New(env, SeqpacketConnect));
  return exports;
}

}  // namespace

NODE_API_MODULE(strata_native, Init)
