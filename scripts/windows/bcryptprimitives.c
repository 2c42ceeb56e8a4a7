/* ProcessPrng for Wine 8, which lacks it in bcryptprimitives.dll: the Rust extensions (python-calamine,
   pydantic-core) import it. The Wine harness only (scripts/windows/build-harness.sh); Windows has the real one. */
#include <windows.h>
typedef BOOLEAN (WINAPI *RtlGenRandomFn)(PVOID, ULONG);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    static RtlGenRandomFn fn = NULL;
    if (!fn) fn = (RtlGenRandomFn)GetProcAddress(LoadLibraryA("advapi32.dll"), "SystemFunction036");
    while (len) { ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len; if (!fn(data, n)) return FALSE; data += n; len -= n; }
    return TRUE;
}
BOOL WINAPI DllMain(HINSTANCE h, DWORD r, LPVOID p) { return TRUE; }
