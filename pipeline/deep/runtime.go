package deep

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// Where the ONNX Runtime library is looked for, in this order.
const (
	// LibraryConfigKey is the configuration key of the library path.
	LibraryConfigKey = "deep.onnxruntime_library"
	// LibraryEnv is the environment variable read when the key is empty.
	LibraryEnv = "ONNXRUNTIME_SHARED_LIBRARY_PATH"
	// DefaultLibrary is where scripts/install-onnxruntime.sh installs the
	// library, relative to the repository root.
	DefaultLibrary = "third_party/onnxruntime/libonnxruntime.so.1"
	// InstallScript installs the pinned library.
	InstallScript = "scripts/install-onnxruntime.sh"
	// RuntimeVersion is the ONNX Runtime release the install script pins and
	// the tests run against; onnxruntime_go v1.38.0 requires its C API level
	// (ORT_API_VERSION 31).
	RuntimeVersion = "1.31.1"
)

// LibraryPath returns the library path to load: configured if non-empty,
// else the LibraryEnv environment variable, else DefaultLibrary resolved
// against root. Root is the repository or installation folder, and empty
// means the working directory.
func LibraryPath(configured, root string) string {
	if configured != "" {
		return configured
	}
	if p := os.Getenv(LibraryEnv); p != "" {
		return p
	}
	return filepath.Join(root, DefaultLibrary)
}

// runtimeState is the process-wide ONNX Runtime environment: the binding
// keeps one environment per process, loaded from one library.
var runtimeState struct {
	sync.Mutex
	path string
}

// InitRuntime loads the ONNX Runtime library at path and creates the
// process-wide environment. Later calls with the same path do nothing. A
// call with another path after a successful load is an error, because a
// process cannot switch libraries. Errors wrap ErrLibrary and explain how to
// supply the library.
func InitRuntime(path string) error {
	runtimeState.Lock()
	defer runtimeState.Unlock()

	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%w: %v; %s", ErrLibrary, err, libraryHint())
	}
	if ort.IsInitialized() {
		if path != runtimeState.path {
			return fmt.Errorf("%w: %s is already loaded in this process, cannot load %s", ErrLibrary, runtimeState.path, path)
		}
		return nil
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("%w: loading %s: %v (it must be ONNX Runtime %s or a later release with the same C API); %s",
			ErrLibrary, path, err, RuntimeVersion, libraryHint())
	}
	runtimeState.path = path
	return nil
}

// RuntimeLibrary returns the path of the loaded library and the ONNX
// Runtime version it reports, or empty strings before InitRuntime succeeds.
func RuntimeLibrary() (path, version string) {
	runtimeState.Lock()
	defer runtimeState.Unlock()
	if !ort.IsInitialized() {
		return "", ""
	}
	return runtimeState.path, ort.GetVersion()
}

func libraryHint() string {
	return fmt.Sprintf("set %s in the configuration or the %s environment variable to libonnxruntime.so.1 of ONNX Runtime %s, or run 'bash %s' to install it as %s",
		LibraryConfigKey, LibraryEnv, RuntimeVersion, InstallScript, DefaultLibrary)
}
