/* Embeds the built stub executable into the kernel library, so the daemon
 * needs no file beside it: it is copied into a sealed memfd and exec'd. */
  .section .rodata
  .globl sb_stub_image_begin
  .globl sb_stub_image_end
  .p2align 4
sb_stub_image_begin:
  .incbin STUB_PATH
sb_stub_image_end:
  .section .note.GNU-stack,"",@progbits
