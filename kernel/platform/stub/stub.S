/* The stub: the host process in which application code runs.
 *
 * Linked at a fixed address high in the address space (stub_layout.h). On
 * start it unmaps everything but itself (host stack, vDSO, vvar), so the
 * whole user address space below it belongs to the application, then stops
 * with int3 for its tracer. From then on it executes only what the tracer
 * asks: application code under PTRACE_SYSEMU (whose system calls never run
 * on the host) and, at syscall_gadget, the calls the kernel injects to map
 * the memory file. It has no data and no stack. */
#define STUB_START 0x7fffe0000000
#define STUB_END   0x7fffe0010000
#define TASK_SIZE  0x7ffffffff000

  .text
  .globl _start
_start:
  mov $11, %eax              /* munmap(0, STUB_START) */
  xor %edi, %edi
  mov $STUB_START, %rsi
  syscall
  mov $11, %eax              /* munmap(STUB_END, TASK_SIZE - STUB_END) */
  mov $STUB_END, %rdi
  mov $(TASK_SIZE - STUB_END), %rsi
  syscall
  int3                       /* ready: the tracer takes over */
  .globl syscall_gadget
syscall_gadget:              /* right after the int3: the tracer finds it at rip */
  syscall
  int3
  .byte 0xeb, 0xfb           /* jmp syscall_gadget (rel8, fixed size) */
/* clone_gadget = syscall_gadget + 5: the tracer injects clone(CLONE_THREAD)
 * here. The caller gets the new thread's id and stops at int3; the new
 * thread (rax == 0) waits in park until its own tracer seizes it. A thread
 * whose task ended while others go on is also parked here, detached. */
clone_gadget:
  syscall
  test %rax, %rax
  .byte 0x74, 0x01           /* jz park (rel8) */
  int3
park:                        /* clone_gadget + 8 */
  mov $34, %eax              /* pause() */
  syscall
  .byte 0xeb, 0xf7           /* jmp park (rel8) */
.if (clone_gadget - syscall_gadget) != 5
.error "clone_gadget must be syscall_gadget + 5 (stub_layout.h)"
.endif
.if (park - clone_gadget) != 8
.error "park must be clone_gadget + 8 (stub_layout.h)"
.endif
  .section .note.GNU-stack,"",@progbits
