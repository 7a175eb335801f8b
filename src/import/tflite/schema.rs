pub use root::*;

const _: () = ::planus::check_version_compatibility("planus-1.3.0");

/// The root namespace
///
/// Generated from these locations:
/// * File `src/import/tflite/schema.fbs`
#[no_implicit_prelude]
#[allow(clippy::needless_lifetimes)]
mod root {
    /// The namespace `tflite`
    ///
    /// Generated from these locations:
    /// * File `src/import/tflite/schema.fbs`
    pub mod tflite {
        /// The table `QuantizationParameters` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `QuantizationParameters` in the file `src/import/tflite/schema.fbs:14`
        #[derive(Clone, Debug, PartialEq, PartialOrd)]
        pub struct QuantizationParameters {
            /// The field `min` in the table `QuantizationParameters`
            pub min: ::core::option::Option<::planus::alloc::vec::Vec<f32>>,
            /// The field `max` in the table `QuantizationParameters`
            pub max: ::core::option::Option<::planus::alloc::vec::Vec<f32>>,
            /// The field `scale` in the table `QuantizationParameters`
            pub scale: ::core::option::Option<::planus::alloc::vec::Vec<f32>>,
            /// The field `zero_point` in the table `QuantizationParameters`
            pub zero_point: ::core::option::Option<::planus::alloc::vec::Vec<i64>>,
            /// The field `quantized_dimension` in the table `QuantizationParameters`
            pub quantized_dimension: i32,
        }

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for QuantizationParameters {
            fn default() -> Self {
                Self {
                    min: ::core::default::Default::default(),
                    max: ::core::default::Default::default(),
                    scale: ::core::default::Default::default(),
                    zero_point: ::core::default::Default::default(),
                    quantized_dimension: 0,
                }
            }
        }

        impl QuantizationParameters {
            /// Creates a [QuantizationParametersBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> QuantizationParametersBuilder<()> {
                QuantizationParametersBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(
                builder: &mut ::planus::Builder,
                field_min: impl ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                field_max: impl ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                field_scale: impl ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                field_zero_point: impl ::planus::WriteAsOptional<::planus::Offset<[i64]>>,
                field_quantized_dimension: impl ::planus::WriteAsDefault<i32, i32>,
            ) -> ::planus::Offset<Self> {
                let prepared_min = field_min.prepare(builder);
                let prepared_max = field_max.prepare(builder);
                let prepared_scale = field_scale.prepare(builder);
                let prepared_zero_point = field_zero_point.prepare(builder);
                let prepared_quantized_dimension = field_quantized_dimension.prepare(builder, &0);

                let mut table_writer: ::planus::table_writer::TableWriter<18> =
                    ::core::default::Default::default();
                if prepared_min.is_some() {
                    table_writer.write_entry::<::planus::Offset<[f32]>>(0);
                }
                if prepared_max.is_some() {
                    table_writer.write_entry::<::planus::Offset<[f32]>>(1);
                }
                if prepared_scale.is_some() {
                    table_writer.write_entry::<::planus::Offset<[f32]>>(2);
                }
                if prepared_zero_point.is_some() {
                    table_writer.write_entry::<::planus::Offset<[i64]>>(3);
                }
                if prepared_quantized_dimension.is_some() {
                    table_writer.write_entry::<i32>(6);
                }

                unsafe {
                    table_writer.finish(builder, |object_writer| {
                        if let ::core::option::Option::Some(prepared_min) = prepared_min {
                            object_writer.write::<_, _, 4>(&prepared_min);
                        }
                        if let ::core::option::Option::Some(prepared_max) = prepared_max {
                            object_writer.write::<_, _, 4>(&prepared_max);
                        }
                        if let ::core::option::Option::Some(prepared_scale) = prepared_scale {
                            object_writer.write::<_, _, 4>(&prepared_scale);
                        }
                        if let ::core::option::Option::Some(prepared_zero_point) = prepared_zero_point {
                            object_writer.write::<_, _, 4>(&prepared_zero_point);
                        }
                        if let ::core::option::Option::Some(prepared_quantized_dimension) =
                            prepared_quantized_dimension
                        {
                            object_writer.write::<_, _, 4>(&prepared_quantized_dimension);
                        }
                    });
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<QuantizationParameters>> for QuantizationParameters {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<QuantizationParameters> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<QuantizationParameters>> for QuantizationParameters {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<QuantizationParameters>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<QuantizationParameters> for QuantizationParameters {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<QuantizationParameters> {
                QuantizationParameters::create(
                    builder,
                    &self.min,
                    &self.max,
                    &self.scale,
                    &self.zero_point,
                    self.quantized_dimension,
                )
            }
        }

        /// Builder for serializing an instance of the [QuantizationParameters] type.
        ///
        /// Can be created using the [QuantizationParameters::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct QuantizationParametersBuilder<State>(State);

        impl QuantizationParametersBuilder<()> {
            /// Setter for the [`min` field](QuantizationParameters#structfield.min).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn min<T0>(self, value: T0) -> QuantizationParametersBuilder<(T0,)>
            where
                T0: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
            {
                QuantizationParametersBuilder((value,))
            }

            /// Sets the [`min` field](QuantizationParameters#structfield.min) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn min_as_null(self) -> QuantizationParametersBuilder<((),)> {
                self.min(())
            }
        }

        impl<T0> QuantizationParametersBuilder<(T0,)> {
            /// Setter for the [`max` field](QuantizationParameters#structfield.max).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn max<T1>(self, value: T1) -> QuantizationParametersBuilder<(T0, T1)>
            where
                T1: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
            {
                let (v0,) = self.0;
                QuantizationParametersBuilder((v0, value))
            }

            /// Sets the [`max` field](QuantizationParameters#structfield.max) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn max_as_null(self) -> QuantizationParametersBuilder<(T0, ())> {
                self.max(())
            }
        }

        impl<T0, T1> QuantizationParametersBuilder<(T0, T1)> {
            /// Setter for the [`scale` field](QuantizationParameters#structfield.scale).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn scale<T2>(self, value: T2) -> QuantizationParametersBuilder<(T0, T1, T2)>
            where
                T2: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
            {
                let (v0, v1) = self.0;
                QuantizationParametersBuilder((v0, v1, value))
            }

            /// Sets the [`scale` field](QuantizationParameters#structfield.scale) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn scale_as_null(self) -> QuantizationParametersBuilder<(T0, T1, ())> {
                self.scale(())
            }
        }

        impl<T0, T1, T2> QuantizationParametersBuilder<(T0, T1, T2)> {
            /// Setter for the [`zero_point` field](QuantizationParameters#structfield.zero_point).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn zero_point<T3>(self, value: T3) -> QuantizationParametersBuilder<(T0, T1, T2, T3)>
            where
                T3: ::planus::WriteAsOptional<::planus::Offset<[i64]>>,
            {
                let (v0, v1, v2) = self.0;
                QuantizationParametersBuilder((v0, v1, v2, value))
            }

            /// Sets the [`zero_point` field](QuantizationParameters#structfield.zero_point) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn zero_point_as_null(self) -> QuantizationParametersBuilder<(T0, T1, T2, ())> {
                self.zero_point(())
            }
        }

        impl<T0, T1, T2, T3> QuantizationParametersBuilder<(T0, T1, T2, T3)> {
            /// Setter for the [`quantized_dimension` field](QuantizationParameters#structfield.quantized_dimension).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn quantized_dimension<T4>(
                self,
                value: T4,
            ) -> QuantizationParametersBuilder<(T0, T1, T2, T3, T4)>
            where
                T4: ::planus::WriteAsDefault<i32, i32>,
            {
                let (v0, v1, v2, v3) = self.0;
                QuantizationParametersBuilder((v0, v1, v2, v3, value))
            }

            /// Sets the [`quantized_dimension` field](QuantizationParameters#structfield.quantized_dimension) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn quantized_dimension_as_default(
                self,
            ) -> QuantizationParametersBuilder<(T0, T1, T2, T3, ::planus::DefaultValue)> {
                self.quantized_dimension(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2, T3, T4> QuantizationParametersBuilder<(T0, T1, T2, T3, T4)> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [QuantizationParameters].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<QuantizationParameters>
            where
                Self: ::planus::WriteAsOffset<QuantizationParameters>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                T3: ::planus::WriteAsOptional<::planus::Offset<[i64]>>,
                T4: ::planus::WriteAsDefault<i32, i32>,
            > ::planus::WriteAs<::planus::Offset<QuantizationParameters>>
            for QuantizationParametersBuilder<(T0, T1, T2, T3, T4)>
        {
            type Prepared = ::planus::Offset<QuantizationParameters>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<QuantizationParameters> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                T3: ::planus::WriteAsOptional<::planus::Offset<[i64]>>,
                T4: ::planus::WriteAsDefault<i32, i32>,
            > ::planus::WriteAsOptional<::planus::Offset<QuantizationParameters>>
            for QuantizationParametersBuilder<(T0, T1, T2, T3, T4)>
        {
            type Prepared = ::planus::Offset<QuantizationParameters>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<QuantizationParameters>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[f32]>>,
                T3: ::planus::WriteAsOptional<::planus::Offset<[i64]>>,
                T4: ::planus::WriteAsDefault<i32, i32>,
            > ::planus::WriteAsOffset<QuantizationParameters>
            for QuantizationParametersBuilder<(T0, T1, T2, T3, T4)>
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<QuantizationParameters> {
                let (v0, v1, v2, v3, v4) = &self.0;
                QuantizationParameters::create(builder, v0, v1, v2, v3, v4)
            }
        }

        /// Reference to a deserialized [QuantizationParameters].
        #[derive(Copy, Clone)]
        pub struct QuantizationParametersRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> QuantizationParametersRef<'a> {
            /// Getter for the [`min` field](QuantizationParameters#structfield.min).
            #[inline]
            pub fn min(&self) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, f32>>> {
                self.0.access(0, "QuantizationParameters", "min")
            }

            /// Getter for the [`max` field](QuantizationParameters#structfield.max).
            #[inline]
            pub fn max(&self) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, f32>>> {
                self.0.access(1, "QuantizationParameters", "max")
            }

            /// Getter for the [`scale` field](QuantizationParameters#structfield.scale).
            #[inline]
            pub fn scale(&self) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, f32>>> {
                self.0.access(2, "QuantizationParameters", "scale")
            }

            /// Getter for the [`zero_point` field](QuantizationParameters#structfield.zero_point).
            #[inline]
            pub fn zero_point(&self) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, i64>>> {
                self.0.access(3, "QuantizationParameters", "zero_point")
            }

            /// Getter for the [`quantized_dimension` field](QuantizationParameters#structfield.quantized_dimension).
            #[inline]
            pub fn quantized_dimension(&self) -> ::planus::Result<i32> {
                ::core::result::Result::Ok(
                    self.0.access(6, "QuantizationParameters", "quantized_dimension")?.unwrap_or(0),
                )
            }
        }

        impl<'a> ::core::fmt::Debug for QuantizationParametersRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("QuantizationParametersRef");
                if let ::core::option::Option::Some(field_min) = self.min().transpose() {
                    f.field("min", &field_min);
                }
                if let ::core::option::Option::Some(field_max) = self.max().transpose() {
                    f.field("max", &field_max);
                }
                if let ::core::option::Option::Some(field_scale) = self.scale().transpose() {
                    f.field("scale", &field_scale);
                }
                if let ::core::option::Option::Some(field_zero_point) = self.zero_point().transpose() {
                    f.field("zero_point", &field_zero_point);
                }
                f.field("quantized_dimension", &self.quantized_dimension());
                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<QuantizationParametersRef<'a>> for QuantizationParameters {
            type Error = ::planus::Error;

            #[allow(unreachable_code)]
            fn try_from(value: QuantizationParametersRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {
                    min: if let ::core::option::Option::Some(min) = value.min()? {
                        ::core::option::Option::Some(min.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    max: if let ::core::option::Option::Some(max) = value.max()? {
                        ::core::option::Option::Some(max.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    scale: if let ::core::option::Option::Some(scale) = value.scale()? {
                        ::core::option::Option::Some(scale.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    zero_point: if let ::core::option::Option::Some(zero_point) = value.zero_point()? {
                        ::core::option::Option::Some(zero_point.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    quantized_dimension: ::core::convert::TryInto::try_into(value.quantized_dimension()?)?,
                })
            }
        }

        impl<'a> ::planus::TableRead<'a> for QuantizationParametersRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for QuantizationParametersRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location(
                        "[QuantizationParametersRef]",
                        "get",
                        buffer.offset_from_start,
                    )
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<QuantizationParameters>> for QuantizationParameters {
            type Value = ::planus::Offset<QuantizationParameters>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<QuantizationParameters>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for QuantizationParametersRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| {
                    error_kind.with_error_location("[QuantizationParametersRef]", "read_as_root", 0)
                })
            }
        }

        /// The table `TensorDef` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `TensorDef` in the file `src/import/tflite/schema.fbs:24`
        #[derive(Clone, Debug, PartialEq, PartialOrd)]
        pub struct TensorDef {
            /// The field `shape` in the table `TensorDef`
            pub shape: ::core::option::Option<::planus::alloc::vec::Vec<i32>>,
            /// The field `type` in the table `TensorDef`
            pub type_: i8,
            /// The field `buffer` in the table `TensorDef`
            pub buffer: u32,
            /// The field `name` in the table `TensorDef`
            pub name: ::core::option::Option<::planus::alloc::string::String>,
            /// The field `quantization` in the table `TensorDef`
            pub quantization:
                ::core::option::Option<::planus::alloc::boxed::Box<self::QuantizationParameters>>,
            /// The field `is_variable` in the table `TensorDef`
            pub is_variable: bool,
            /// The field `shape_signature` in the table `TensorDef`
            pub shape_signature: ::core::option::Option<::planus::alloc::vec::Vec<i32>>,
        }

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for TensorDef {
            fn default() -> Self {
                Self {
                    shape: ::core::default::Default::default(),
                    type_: 0,
                    buffer: 0,
                    name: ::core::default::Default::default(),
                    quantization: ::core::default::Default::default(),
                    is_variable: false,
                    shape_signature: ::core::default::Default::default(),
                }
            }
        }

        impl TensorDef {
            /// Creates a [TensorDefBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> TensorDefBuilder<()> {
                TensorDefBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(
                builder: &mut ::planus::Builder,
                field_shape: impl ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                field_type_: impl ::planus::WriteAsDefault<i8, i8>,
                field_buffer: impl ::planus::WriteAsDefault<u32, u32>,
                field_name: impl ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                field_quantization: impl ::planus::WriteAsOptional<::planus::Offset<self::QuantizationParameters>>,
                field_is_variable: impl ::planus::WriteAsDefault<bool, bool>,
                field_shape_signature: impl ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            ) -> ::planus::Offset<Self> {
                let prepared_shape = field_shape.prepare(builder);
                let prepared_type_ = field_type_.prepare(builder, &0);
                let prepared_buffer = field_buffer.prepare(builder, &0);
                let prepared_name = field_name.prepare(builder);
                let prepared_quantization = field_quantization.prepare(builder);
                let prepared_is_variable = field_is_variable.prepare(builder, &false);
                let prepared_shape_signature = field_shape_signature.prepare(builder);

                let mut table_writer: ::planus::table_writer::TableWriter<20> =
                    ::core::default::Default::default();
                if prepared_shape.is_some() {
                    table_writer.write_entry::<::planus::Offset<[i32]>>(0);
                }
                if prepared_buffer.is_some() {
                    table_writer.write_entry::<u32>(2);
                }
                if prepared_name.is_some() {
                    table_writer.write_entry::<::planus::Offset<str>>(3);
                }
                if prepared_quantization.is_some() {
                    table_writer.write_entry::<::planus::Offset<self::QuantizationParameters>>(4);
                }
                if prepared_shape_signature.is_some() {
                    table_writer.write_entry::<::planus::Offset<[i32]>>(7);
                }
                if prepared_type_.is_some() {
                    table_writer.write_entry::<i8>(1);
                }
                if prepared_is_variable.is_some() {
                    table_writer.write_entry::<bool>(5);
                }

                unsafe {
                    table_writer.finish(builder, |object_writer| {
                        if let ::core::option::Option::Some(prepared_shape) = prepared_shape {
                            object_writer.write::<_, _, 4>(&prepared_shape);
                        }
                        if let ::core::option::Option::Some(prepared_buffer) = prepared_buffer {
                            object_writer.write::<_, _, 4>(&prepared_buffer);
                        }
                        if let ::core::option::Option::Some(prepared_name) = prepared_name {
                            object_writer.write::<_, _, 4>(&prepared_name);
                        }
                        if let ::core::option::Option::Some(prepared_quantization) = prepared_quantization {
                            object_writer.write::<_, _, 4>(&prepared_quantization);
                        }
                        if let ::core::option::Option::Some(prepared_shape_signature) =
                            prepared_shape_signature
                        {
                            object_writer.write::<_, _, 4>(&prepared_shape_signature);
                        }
                        if let ::core::option::Option::Some(prepared_type_) = prepared_type_ {
                            object_writer.write::<_, _, 1>(&prepared_type_);
                        }
                        if let ::core::option::Option::Some(prepared_is_variable) = prepared_is_variable {
                            object_writer.write::<_, _, 1>(&prepared_is_variable);
                        }
                    });
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<TensorDef>> for TensorDef {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<TensorDef> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<TensorDef>> for TensorDef {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<TensorDef>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<TensorDef> for TensorDef {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<TensorDef> {
                TensorDef::create(
                    builder,
                    &self.shape,
                    self.type_,
                    self.buffer,
                    &self.name,
                    &self.quantization,
                    self.is_variable,
                    &self.shape_signature,
                )
            }
        }

        /// Builder for serializing an instance of the [TensorDef] type.
        ///
        /// Can be created using the [TensorDef::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct TensorDefBuilder<State>(State);

        impl TensorDefBuilder<()> {
            /// Setter for the [`shape` field](TensorDef#structfield.shape).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn shape<T0>(self, value: T0) -> TensorDefBuilder<(T0,)>
            where
                T0: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            {
                TensorDefBuilder((value,))
            }

            /// Sets the [`shape` field](TensorDef#structfield.shape) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn shape_as_null(self) -> TensorDefBuilder<((),)> {
                self.shape(())
            }
        }

        impl<T0> TensorDefBuilder<(T0,)> {
            /// Setter for the [`type` field](TensorDef#structfield.type_).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn type_<T1>(self, value: T1) -> TensorDefBuilder<(T0, T1)>
            where
                T1: ::planus::WriteAsDefault<i8, i8>,
            {
                let (v0,) = self.0;
                TensorDefBuilder((v0, value))
            }

            /// Sets the [`type` field](TensorDef#structfield.type_) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn type_as_default(self) -> TensorDefBuilder<(T0, ::planus::DefaultValue)> {
                self.type_(::planus::DefaultValue)
            }
        }

        impl<T0, T1> TensorDefBuilder<(T0, T1)> {
            /// Setter for the [`buffer` field](TensorDef#structfield.buffer).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn buffer<T2>(self, value: T2) -> TensorDefBuilder<(T0, T1, T2)>
            where
                T2: ::planus::WriteAsDefault<u32, u32>,
            {
                let (v0, v1) = self.0;
                TensorDefBuilder((v0, v1, value))
            }

            /// Sets the [`buffer` field](TensorDef#structfield.buffer) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn buffer_as_default(self) -> TensorDefBuilder<(T0, T1, ::planus::DefaultValue)> {
                self.buffer(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2> TensorDefBuilder<(T0, T1, T2)> {
            /// Setter for the [`name` field](TensorDef#structfield.name).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn name<T3>(self, value: T3) -> TensorDefBuilder<(T0, T1, T2, T3)>
            where
                T3: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
            {
                let (v0, v1, v2) = self.0;
                TensorDefBuilder((v0, v1, v2, value))
            }

            /// Sets the [`name` field](TensorDef#structfield.name) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn name_as_null(self) -> TensorDefBuilder<(T0, T1, T2, ())> {
                self.name(())
            }
        }

        impl<T0, T1, T2, T3> TensorDefBuilder<(T0, T1, T2, T3)> {
            /// Setter for the [`quantization` field](TensorDef#structfield.quantization).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn quantization<T4>(self, value: T4) -> TensorDefBuilder<(T0, T1, T2, T3, T4)>
            where
                T4: ::planus::WriteAsOptional<::planus::Offset<self::QuantizationParameters>>,
            {
                let (v0, v1, v2, v3) = self.0;
                TensorDefBuilder((v0, v1, v2, v3, value))
            }

            /// Sets the [`quantization` field](TensorDef#structfield.quantization) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn quantization_as_null(self) -> TensorDefBuilder<(T0, T1, T2, T3, ())> {
                self.quantization(())
            }
        }

        impl<T0, T1, T2, T3, T4> TensorDefBuilder<(T0, T1, T2, T3, T4)> {
            /// Setter for the [`is_variable` field](TensorDef#structfield.is_variable).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn is_variable<T5>(self, value: T5) -> TensorDefBuilder<(T0, T1, T2, T3, T4, T5)>
            where
                T5: ::planus::WriteAsDefault<bool, bool>,
            {
                let (v0, v1, v2, v3, v4) = self.0;
                TensorDefBuilder((v0, v1, v2, v3, v4, value))
            }

            /// Sets the [`is_variable` field](TensorDef#structfield.is_variable) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn is_variable_as_default(
                self,
            ) -> TensorDefBuilder<(T0, T1, T2, T3, T4, ::planus::DefaultValue)> {
                self.is_variable(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2, T3, T4, T5> TensorDefBuilder<(T0, T1, T2, T3, T4, T5)> {
            /// Setter for the [`shape_signature` field](TensorDef#structfield.shape_signature).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn shape_signature<T6>(self, value: T6) -> TensorDefBuilder<(T0, T1, T2, T3, T4, T5, T6)>
            where
                T6: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            {
                let (v0, v1, v2, v3, v4, v5) = self.0;
                TensorDefBuilder((v0, v1, v2, v3, v4, v5, value))
            }

            /// Sets the [`shape_signature` field](TensorDef#structfield.shape_signature) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn shape_signature_as_null(self) -> TensorDefBuilder<(T0, T1, T2, T3, T4, T5, ())> {
                self.shape_signature(())
            }
        }

        impl<T0, T1, T2, T3, T4, T5, T6> TensorDefBuilder<(T0, T1, T2, T3, T4, T5, T6)> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [TensorDef].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<TensorDef>
            where
                Self: ::planus::WriteAsOffset<TensorDef>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T1: ::planus::WriteAsDefault<i8, i8>,
                T2: ::planus::WriteAsDefault<u32, u32>,
                T3: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                T4: ::planus::WriteAsOptional<::planus::Offset<self::QuantizationParameters>>,
                T5: ::planus::WriteAsDefault<bool, bool>,
                T6: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            > ::planus::WriteAs<::planus::Offset<TensorDef>>
            for TensorDefBuilder<(T0, T1, T2, T3, T4, T5, T6)>
        {
            type Prepared = ::planus::Offset<TensorDef>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<TensorDef> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T1: ::planus::WriteAsDefault<i8, i8>,
                T2: ::planus::WriteAsDefault<u32, u32>,
                T3: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                T4: ::planus::WriteAsOptional<::planus::Offset<self::QuantizationParameters>>,
                T5: ::planus::WriteAsDefault<bool, bool>,
                T6: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            > ::planus::WriteAsOptional<::planus::Offset<TensorDef>>
            for TensorDefBuilder<(T0, T1, T2, T3, T4, T5, T6)>
        {
            type Prepared = ::planus::Offset<TensorDef>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<TensorDef>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T1: ::planus::WriteAsDefault<i8, i8>,
                T2: ::planus::WriteAsDefault<u32, u32>,
                T3: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                T4: ::planus::WriteAsOptional<::planus::Offset<self::QuantizationParameters>>,
                T5: ::planus::WriteAsDefault<bool, bool>,
                T6: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            > ::planus::WriteAsOffset<TensorDef> for TensorDefBuilder<(T0, T1, T2, T3, T4, T5, T6)>
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<TensorDef> {
                let (v0, v1, v2, v3, v4, v5, v6) = &self.0;
                TensorDef::create(builder, v0, v1, v2, v3, v4, v5, v6)
            }
        }

        /// Reference to a deserialized [TensorDef].
        #[derive(Copy, Clone)]
        pub struct TensorDefRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> TensorDefRef<'a> {
            /// Getter for the [`shape` field](TensorDef#structfield.shape).
            #[inline]
            pub fn shape(&self) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, i32>>> {
                self.0.access(0, "TensorDef", "shape")
            }

            /// Getter for the [`type` field](TensorDef#structfield.type_).
            #[inline]
            pub fn type_(&self) -> ::planus::Result<i8> {
                ::core::result::Result::Ok(self.0.access(1, "TensorDef", "type_")?.unwrap_or(0))
            }

            /// Getter for the [`buffer` field](TensorDef#structfield.buffer).
            #[inline]
            pub fn buffer(&self) -> ::planus::Result<u32> {
                ::core::result::Result::Ok(self.0.access(2, "TensorDef", "buffer")?.unwrap_or(0))
            }

            /// Getter for the [`name` field](TensorDef#structfield.name).
            #[inline]
            pub fn name(&self) -> ::planus::Result<::core::option::Option<&'a ::core::primitive::str>> {
                self.0.access(3, "TensorDef", "name")
            }

            /// Getter for the [`quantization` field](TensorDef#structfield.quantization).
            #[inline]
            pub fn quantization(
                &self,
            ) -> ::planus::Result<::core::option::Option<self::QuantizationParametersRef<'a>>> {
                self.0.access(4, "TensorDef", "quantization")
            }

            /// Getter for the [`is_variable` field](TensorDef#structfield.is_variable).
            #[inline]
            pub fn is_variable(&self) -> ::planus::Result<bool> {
                ::core::result::Result::Ok(self.0.access(5, "TensorDef", "is_variable")?.unwrap_or(false))
            }

            /// Getter for the [`shape_signature` field](TensorDef#structfield.shape_signature).
            #[inline]
            pub fn shape_signature(
                &self,
            ) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, i32>>> {
                self.0.access(7, "TensorDef", "shape_signature")
            }
        }

        impl<'a> ::core::fmt::Debug for TensorDefRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("TensorDefRef");
                if let ::core::option::Option::Some(field_shape) = self.shape().transpose() {
                    f.field("shape", &field_shape);
                }
                f.field("type_", &self.type_());
                f.field("buffer", &self.buffer());
                if let ::core::option::Option::Some(field_name) = self.name().transpose() {
                    f.field("name", &field_name);
                }
                if let ::core::option::Option::Some(field_quantization) = self.quantization().transpose() {
                    f.field("quantization", &field_quantization);
                }
                f.field("is_variable", &self.is_variable());
                if let ::core::option::Option::Some(field_shape_signature) =
                    self.shape_signature().transpose()
                {
                    f.field("shape_signature", &field_shape_signature);
                }
                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<TensorDefRef<'a>> for TensorDef {
            type Error = ::planus::Error;

            #[allow(unreachable_code)]
            fn try_from(value: TensorDefRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {
                    shape: if let ::core::option::Option::Some(shape) = value.shape()? {
                        ::core::option::Option::Some(shape.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    type_: ::core::convert::TryInto::try_into(value.type_()?)?,
                    buffer: ::core::convert::TryInto::try_into(value.buffer()?)?,
                    name: value.name()?.map(::core::convert::Into::into),
                    quantization: if let ::core::option::Option::Some(quantization) = value.quantization()? {
                        ::core::option::Option::Some(::planus::alloc::boxed::Box::new(
                            ::core::convert::TryInto::try_into(quantization)?,
                        ))
                    } else {
                        ::core::option::Option::None
                    },
                    is_variable: ::core::convert::TryInto::try_into(value.is_variable()?)?,
                    shape_signature: if let ::core::option::Option::Some(shape_signature) =
                        value.shape_signature()?
                    {
                        ::core::option::Option::Some(shape_signature.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                })
            }
        }

        impl<'a> ::planus::TableRead<'a> for TensorDefRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for TensorDefRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[TensorDefRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<TensorDef>> for TensorDef {
            type Value = ::planus::Offset<TensorDef>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<TensorDef>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for TensorDefRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[TensorDefRef]", "read_as_root", 0))
            }
        }

        /// The table `FullyConnectedOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `FullyConnectedOptions` in the file `src/import/tflite/schema.fbs:35`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct FullyConnectedOptions {
            /// The field `fused_activation_function` in the table `FullyConnectedOptions`
            pub fused_activation_function: i8,
            /// The field `weights_format` in the table `FullyConnectedOptions`
            pub weights_format: i8,
            /// The field `keep_num_dims` in the table `FullyConnectedOptions`
            pub keep_num_dims: bool,
            /// The field `asymmetric_quantize_inputs` in the table `FullyConnectedOptions`
            pub asymmetric_quantize_inputs: bool,
            /// The field `quantized_bias_type` in the table `FullyConnectedOptions`
            pub quantized_bias_type: i8,
        }

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for FullyConnectedOptions {
            fn default() -> Self {
                Self {
                    fused_activation_function: 0,
                    weights_format: 0,
                    keep_num_dims: false,
                    asymmetric_quantize_inputs: false,
                    quantized_bias_type: 0,
                }
            }
        }

        impl FullyConnectedOptions {
            /// Creates a [FullyConnectedOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> FullyConnectedOptionsBuilder<()> {
                FullyConnectedOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(
                builder: &mut ::planus::Builder,
                field_fused_activation_function: impl ::planus::WriteAsDefault<i8, i8>,
                field_weights_format: impl ::planus::WriteAsDefault<i8, i8>,
                field_keep_num_dims: impl ::planus::WriteAsDefault<bool, bool>,
                field_asymmetric_quantize_inputs: impl ::planus::WriteAsDefault<bool, bool>,
                field_quantized_bias_type: impl ::planus::WriteAsDefault<i8, i8>,
            ) -> ::planus::Offset<Self> {
                let prepared_fused_activation_function = field_fused_activation_function.prepare(builder, &0);
                let prepared_weights_format = field_weights_format.prepare(builder, &0);
                let prepared_keep_num_dims = field_keep_num_dims.prepare(builder, &false);
                let prepared_asymmetric_quantize_inputs =
                    field_asymmetric_quantize_inputs.prepare(builder, &false);
                let prepared_quantized_bias_type = field_quantized_bias_type.prepare(builder, &0);

                let mut table_writer: ::planus::table_writer::TableWriter<14> =
                    ::core::default::Default::default();
                if prepared_fused_activation_function.is_some() {
                    table_writer.write_entry::<i8>(0);
                }
                if prepared_weights_format.is_some() {
                    table_writer.write_entry::<i8>(1);
                }
                if prepared_keep_num_dims.is_some() {
                    table_writer.write_entry::<bool>(2);
                }
                if prepared_asymmetric_quantize_inputs.is_some() {
                    table_writer.write_entry::<bool>(3);
                }
                if prepared_quantized_bias_type.is_some() {
                    table_writer.write_entry::<i8>(4);
                }

                unsafe {
                    table_writer.finish(builder, |object_writer| {
                        if let ::core::option::Option::Some(prepared_fused_activation_function) =
                            prepared_fused_activation_function
                        {
                            object_writer.write::<_, _, 1>(&prepared_fused_activation_function);
                        }
                        if let ::core::option::Option::Some(prepared_weights_format) = prepared_weights_format
                        {
                            object_writer.write::<_, _, 1>(&prepared_weights_format);
                        }
                        if let ::core::option::Option::Some(prepared_keep_num_dims) = prepared_keep_num_dims {
                            object_writer.write::<_, _, 1>(&prepared_keep_num_dims);
                        }
                        if let ::core::option::Option::Some(prepared_asymmetric_quantize_inputs) =
                            prepared_asymmetric_quantize_inputs
                        {
                            object_writer.write::<_, _, 1>(&prepared_asymmetric_quantize_inputs);
                        }
                        if let ::core::option::Option::Some(prepared_quantized_bias_type) =
                            prepared_quantized_bias_type
                        {
                            object_writer.write::<_, _, 1>(&prepared_quantized_bias_type);
                        }
                    });
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<FullyConnectedOptions>> for FullyConnectedOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<FullyConnectedOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<FullyConnectedOptions>> for FullyConnectedOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<FullyConnectedOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<FullyConnectedOptions> for FullyConnectedOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<FullyConnectedOptions> {
                FullyConnectedOptions::create(
                    builder,
                    self.fused_activation_function,
                    self.weights_format,
                    self.keep_num_dims,
                    self.asymmetric_quantize_inputs,
                    self.quantized_bias_type,
                )
            }
        }

        /// Builder for serializing an instance of the [FullyConnectedOptions] type.
        ///
        /// Can be created using the [FullyConnectedOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct FullyConnectedOptionsBuilder<State>(State);

        impl FullyConnectedOptionsBuilder<()> {
            /// Setter for the [`fused_activation_function` field](FullyConnectedOptions#structfield.fused_activation_function).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn fused_activation_function<T0>(self, value: T0) -> FullyConnectedOptionsBuilder<(T0,)>
            where
                T0: ::planus::WriteAsDefault<i8, i8>,
            {
                FullyConnectedOptionsBuilder((value,))
            }

            /// Sets the [`fused_activation_function` field](FullyConnectedOptions#structfield.fused_activation_function) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn fused_activation_function_as_default(
                self,
            ) -> FullyConnectedOptionsBuilder<(::planus::DefaultValue,)> {
                self.fused_activation_function(::planus::DefaultValue)
            }
        }

        impl<T0> FullyConnectedOptionsBuilder<(T0,)> {
            /// Setter for the [`weights_format` field](FullyConnectedOptions#structfield.weights_format).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn weights_format<T1>(self, value: T1) -> FullyConnectedOptionsBuilder<(T0, T1)>
            where
                T1: ::planus::WriteAsDefault<i8, i8>,
            {
                let (v0,) = self.0;
                FullyConnectedOptionsBuilder((v0, value))
            }

            /// Sets the [`weights_format` field](FullyConnectedOptions#structfield.weights_format) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn weights_format_as_default(
                self,
            ) -> FullyConnectedOptionsBuilder<(T0, ::planus::DefaultValue)> {
                self.weights_format(::planus::DefaultValue)
            }
        }

        impl<T0, T1> FullyConnectedOptionsBuilder<(T0, T1)> {
            /// Setter for the [`keep_num_dims` field](FullyConnectedOptions#structfield.keep_num_dims).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn keep_num_dims<T2>(self, value: T2) -> FullyConnectedOptionsBuilder<(T0, T1, T2)>
            where
                T2: ::planus::WriteAsDefault<bool, bool>,
            {
                let (v0, v1) = self.0;
                FullyConnectedOptionsBuilder((v0, v1, value))
            }

            /// Sets the [`keep_num_dims` field](FullyConnectedOptions#structfield.keep_num_dims) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn keep_num_dims_as_default(
                self,
            ) -> FullyConnectedOptionsBuilder<(T0, T1, ::planus::DefaultValue)> {
                self.keep_num_dims(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2> FullyConnectedOptionsBuilder<(T0, T1, T2)> {
            /// Setter for the [`asymmetric_quantize_inputs` field](FullyConnectedOptions#structfield.asymmetric_quantize_inputs).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn asymmetric_quantize_inputs<T3>(
                self,
                value: T3,
            ) -> FullyConnectedOptionsBuilder<(T0, T1, T2, T3)>
            where
                T3: ::planus::WriteAsDefault<bool, bool>,
            {
                let (v0, v1, v2) = self.0;
                FullyConnectedOptionsBuilder((v0, v1, v2, value))
            }

            /// Sets the [`asymmetric_quantize_inputs` field](FullyConnectedOptions#structfield.asymmetric_quantize_inputs) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn asymmetric_quantize_inputs_as_default(
                self,
            ) -> FullyConnectedOptionsBuilder<(T0, T1, T2, ::planus::DefaultValue)> {
                self.asymmetric_quantize_inputs(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2, T3> FullyConnectedOptionsBuilder<(T0, T1, T2, T3)> {
            /// Setter for the [`quantized_bias_type` field](FullyConnectedOptions#structfield.quantized_bias_type).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn quantized_bias_type<T4>(
                self,
                value: T4,
            ) -> FullyConnectedOptionsBuilder<(T0, T1, T2, T3, T4)>
            where
                T4: ::planus::WriteAsDefault<i8, i8>,
            {
                let (v0, v1, v2, v3) = self.0;
                FullyConnectedOptionsBuilder((v0, v1, v2, v3, value))
            }

            /// Sets the [`quantized_bias_type` field](FullyConnectedOptions#structfield.quantized_bias_type) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn quantized_bias_type_as_default(
                self,
            ) -> FullyConnectedOptionsBuilder<(T0, T1, T2, T3, ::planus::DefaultValue)> {
                self.quantized_bias_type(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2, T3, T4> FullyConnectedOptionsBuilder<(T0, T1, T2, T3, T4)> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [FullyConnectedOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<FullyConnectedOptions>
            where
                Self: ::planus::WriteAsOffset<FullyConnectedOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<i8, i8>,
                T1: ::planus::WriteAsDefault<i8, i8>,
                T2: ::planus::WriteAsDefault<bool, bool>,
                T3: ::planus::WriteAsDefault<bool, bool>,
                T4: ::planus::WriteAsDefault<i8, i8>,
            > ::planus::WriteAs<::planus::Offset<FullyConnectedOptions>>
            for FullyConnectedOptionsBuilder<(T0, T1, T2, T3, T4)>
        {
            type Prepared = ::planus::Offset<FullyConnectedOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<FullyConnectedOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<i8, i8>,
                T1: ::planus::WriteAsDefault<i8, i8>,
                T2: ::planus::WriteAsDefault<bool, bool>,
                T3: ::planus::WriteAsDefault<bool, bool>,
                T4: ::planus::WriteAsDefault<i8, i8>,
            > ::planus::WriteAsOptional<::planus::Offset<FullyConnectedOptions>>
            for FullyConnectedOptionsBuilder<(T0, T1, T2, T3, T4)>
        {
            type Prepared = ::planus::Offset<FullyConnectedOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<FullyConnectedOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<i8, i8>,
                T1: ::planus::WriteAsDefault<i8, i8>,
                T2: ::planus::WriteAsDefault<bool, bool>,
                T3: ::planus::WriteAsDefault<bool, bool>,
                T4: ::planus::WriteAsDefault<i8, i8>,
            > ::planus::WriteAsOffset<FullyConnectedOptions>
            for FullyConnectedOptionsBuilder<(T0, T1, T2, T3, T4)>
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<FullyConnectedOptions> {
                let (v0, v1, v2, v3, v4) = &self.0;
                FullyConnectedOptions::create(builder, v0, v1, v2, v3, v4)
            }
        }

        /// Reference to a deserialized [FullyConnectedOptions].
        #[derive(Copy, Clone)]
        pub struct FullyConnectedOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> FullyConnectedOptionsRef<'a> {
            /// Getter for the [`fused_activation_function` field](FullyConnectedOptions#structfield.fused_activation_function).
            #[inline]
            pub fn fused_activation_function(&self) -> ::planus::Result<i8> {
                ::core::result::Result::Ok(
                    self.0.access(0, "FullyConnectedOptions", "fused_activation_function")?.unwrap_or(0),
                )
            }

            /// Getter for the [`weights_format` field](FullyConnectedOptions#structfield.weights_format).
            #[inline]
            pub fn weights_format(&self) -> ::planus::Result<i8> {
                ::core::result::Result::Ok(
                    self.0.access(1, "FullyConnectedOptions", "weights_format")?.unwrap_or(0),
                )
            }

            /// Getter for the [`keep_num_dims` field](FullyConnectedOptions#structfield.keep_num_dims).
            #[inline]
            pub fn keep_num_dims(&self) -> ::planus::Result<bool> {
                ::core::result::Result::Ok(
                    self.0.access(2, "FullyConnectedOptions", "keep_num_dims")?.unwrap_or(false),
                )
            }

            /// Getter for the [`asymmetric_quantize_inputs` field](FullyConnectedOptions#structfield.asymmetric_quantize_inputs).
            #[inline]
            pub fn asymmetric_quantize_inputs(&self) -> ::planus::Result<bool> {
                ::core::result::Result::Ok(
                    self.0.access(3, "FullyConnectedOptions", "asymmetric_quantize_inputs")?.unwrap_or(false),
                )
            }

            /// Getter for the [`quantized_bias_type` field](FullyConnectedOptions#structfield.quantized_bias_type).
            #[inline]
            pub fn quantized_bias_type(&self) -> ::planus::Result<i8> {
                ::core::result::Result::Ok(
                    self.0.access(4, "FullyConnectedOptions", "quantized_bias_type")?.unwrap_or(0),
                )
            }
        }

        impl<'a> ::core::fmt::Debug for FullyConnectedOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("FullyConnectedOptionsRef");
                f.field("fused_activation_function", &self.fused_activation_function());
                f.field("weights_format", &self.weights_format());
                f.field("keep_num_dims", &self.keep_num_dims());
                f.field("asymmetric_quantize_inputs", &self.asymmetric_quantize_inputs());
                f.field("quantized_bias_type", &self.quantized_bias_type());
                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<FullyConnectedOptionsRef<'a>> for FullyConnectedOptions {
            type Error = ::planus::Error;

            #[allow(unreachable_code)]
            fn try_from(value: FullyConnectedOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {
                    fused_activation_function: ::core::convert::TryInto::try_into(
                        value.fused_activation_function()?,
                    )?,
                    weights_format: ::core::convert::TryInto::try_into(value.weights_format()?)?,
                    keep_num_dims: ::core::convert::TryInto::try_into(value.keep_num_dims()?)?,
                    asymmetric_quantize_inputs: ::core::convert::TryInto::try_into(
                        value.asymmetric_quantize_inputs()?,
                    )?,
                    quantized_bias_type: ::core::convert::TryInto::try_into(value.quantized_bias_type()?)?,
                })
            }
        }

        impl<'a> ::planus::TableRead<'a> for FullyConnectedOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for FullyConnectedOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location(
                        "[FullyConnectedOptionsRef]",
                        "get",
                        buffer.offset_from_start,
                    )
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<FullyConnectedOptions>> for FullyConnectedOptions {
            type Value = ::planus::Offset<FullyConnectedOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<FullyConnectedOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for FullyConnectedOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| {
                    error_kind.with_error_location("[FullyConnectedOptionsRef]", "read_as_root", 0)
                })
            }
        }

        /// The table `SoftmaxOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `SoftmaxOptions` in the file `src/import/tflite/schema.fbs:42`
        #[derive(Clone, Debug, PartialEq, PartialOrd)]
        pub struct SoftmaxOptions {
            /// The field `beta` in the table `SoftmaxOptions`
            pub beta: f32,
        }

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for SoftmaxOptions {
            fn default() -> Self {
                Self { beta: 0.0 }
            }
        }

        impl SoftmaxOptions {
            /// Creates a [SoftmaxOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> SoftmaxOptionsBuilder<()> {
                SoftmaxOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(
                builder: &mut ::planus::Builder,
                field_beta: impl ::planus::WriteAsDefault<f32, f32>,
            ) -> ::planus::Offset<Self> {
                let prepared_beta = field_beta.prepare(builder, &0.0);

                let mut table_writer: ::planus::table_writer::TableWriter<6> =
                    ::core::default::Default::default();
                if prepared_beta.is_some() {
                    table_writer.write_entry::<f32>(0);
                }

                unsafe {
                    table_writer.finish(builder, |object_writer| {
                        if let ::core::option::Option::Some(prepared_beta) = prepared_beta {
                            object_writer.write::<_, _, 4>(&prepared_beta);
                        }
                    });
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<SoftmaxOptions>> for SoftmaxOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SoftmaxOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<SoftmaxOptions>> for SoftmaxOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<SoftmaxOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<SoftmaxOptions> for SoftmaxOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SoftmaxOptions> {
                SoftmaxOptions::create(builder, self.beta)
            }
        }

        /// Builder for serializing an instance of the [SoftmaxOptions] type.
        ///
        /// Can be created using the [SoftmaxOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct SoftmaxOptionsBuilder<State>(State);

        impl SoftmaxOptionsBuilder<()> {
            /// Setter for the [`beta` field](SoftmaxOptions#structfield.beta).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn beta<T0>(self, value: T0) -> SoftmaxOptionsBuilder<(T0,)>
            where
                T0: ::planus::WriteAsDefault<f32, f32>,
            {
                SoftmaxOptionsBuilder((value,))
            }

            /// Sets the [`beta` field](SoftmaxOptions#structfield.beta) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn beta_as_default(self) -> SoftmaxOptionsBuilder<(::planus::DefaultValue,)> {
                self.beta(::planus::DefaultValue)
            }
        }

        impl<T0> SoftmaxOptionsBuilder<(T0,)> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [SoftmaxOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<SoftmaxOptions>
            where
                Self: ::planus::WriteAsOffset<SoftmaxOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl<T0: ::planus::WriteAsDefault<f32, f32>> ::planus::WriteAs<::planus::Offset<SoftmaxOptions>>
            for SoftmaxOptionsBuilder<(T0,)>
        {
            type Prepared = ::planus::Offset<SoftmaxOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SoftmaxOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl<T0: ::planus::WriteAsDefault<f32, f32>>
            ::planus::WriteAsOptional<::planus::Offset<SoftmaxOptions>> for SoftmaxOptionsBuilder<(T0,)>
        {
            type Prepared = ::planus::Offset<SoftmaxOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<SoftmaxOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl<T0: ::planus::WriteAsDefault<f32, f32>> ::planus::WriteAsOffset<SoftmaxOptions>
            for SoftmaxOptionsBuilder<(T0,)>
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SoftmaxOptions> {
                let (v0,) = &self.0;
                SoftmaxOptions::create(builder, v0)
            }
        }

        /// Reference to a deserialized [SoftmaxOptions].
        #[derive(Copy, Clone)]
        pub struct SoftmaxOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> SoftmaxOptionsRef<'a> {
            /// Getter for the [`beta` field](SoftmaxOptions#structfield.beta).
            #[inline]
            pub fn beta(&self) -> ::planus::Result<f32> {
                ::core::result::Result::Ok(self.0.access(0, "SoftmaxOptions", "beta")?.unwrap_or(0.0))
            }
        }

        impl<'a> ::core::fmt::Debug for SoftmaxOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("SoftmaxOptionsRef");
                f.field("beta", &self.beta());
                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<SoftmaxOptionsRef<'a>> for SoftmaxOptions {
            type Error = ::planus::Error;

            #[allow(unreachable_code)]
            fn try_from(value: SoftmaxOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self { beta: ::core::convert::TryInto::try_into(value.beta()?)? })
            }
        }

        impl<'a> ::planus::TableRead<'a> for SoftmaxOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for SoftmaxOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[SoftmaxOptionsRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<SoftmaxOptions>> for SoftmaxOptions {
            type Value = ::planus::Offset<SoftmaxOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<SoftmaxOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for SoftmaxOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| {
                    error_kind.with_error_location("[SoftmaxOptionsRef]", "read_as_root", 0)
                })
            }
        }

        /// The table `ReshapeOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `ReshapeOptions` in the file `src/import/tflite/schema.fbs:43`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct ReshapeOptions {
            /// The field `new_shape` in the table `ReshapeOptions`
            pub new_shape: ::core::option::Option<::planus::alloc::vec::Vec<i32>>,
        }

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for ReshapeOptions {
            fn default() -> Self {
                Self { new_shape: ::core::default::Default::default() }
            }
        }

        impl ReshapeOptions {
            /// Creates a [ReshapeOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> ReshapeOptionsBuilder<()> {
                ReshapeOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(
                builder: &mut ::planus::Builder,
                field_new_shape: impl ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            ) -> ::planus::Offset<Self> {
                let prepared_new_shape = field_new_shape.prepare(builder);

                let mut table_writer: ::planus::table_writer::TableWriter<6> =
                    ::core::default::Default::default();
                if prepared_new_shape.is_some() {
                    table_writer.write_entry::<::planus::Offset<[i32]>>(0);
                }

                unsafe {
                    table_writer.finish(builder, |object_writer| {
                        if let ::core::option::Option::Some(prepared_new_shape) = prepared_new_shape {
                            object_writer.write::<_, _, 4>(&prepared_new_shape);
                        }
                    });
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<ReshapeOptions>> for ReshapeOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ReshapeOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<ReshapeOptions>> for ReshapeOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<ReshapeOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<ReshapeOptions> for ReshapeOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ReshapeOptions> {
                ReshapeOptions::create(builder, &self.new_shape)
            }
        }

        /// Builder for serializing an instance of the [ReshapeOptions] type.
        ///
        /// Can be created using the [ReshapeOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct ReshapeOptionsBuilder<State>(State);

        impl ReshapeOptionsBuilder<()> {
            /// Setter for the [`new_shape` field](ReshapeOptions#structfield.new_shape).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn new_shape<T0>(self, value: T0) -> ReshapeOptionsBuilder<(T0,)>
            where
                T0: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            {
                ReshapeOptionsBuilder((value,))
            }

            /// Sets the [`new_shape` field](ReshapeOptions#structfield.new_shape) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn new_shape_as_null(self) -> ReshapeOptionsBuilder<((),)> {
                self.new_shape(())
            }
        }

        impl<T0> ReshapeOptionsBuilder<(T0,)> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [ReshapeOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<ReshapeOptions>
            where
                Self: ::planus::WriteAsOffset<ReshapeOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl<T0: ::planus::WriteAsOptional<::planus::Offset<[i32]>>>
            ::planus::WriteAs<::planus::Offset<ReshapeOptions>> for ReshapeOptionsBuilder<(T0,)>
        {
            type Prepared = ::planus::Offset<ReshapeOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ReshapeOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl<T0: ::planus::WriteAsOptional<::planus::Offset<[i32]>>>
            ::planus::WriteAsOptional<::planus::Offset<ReshapeOptions>> for ReshapeOptionsBuilder<(T0,)>
        {
            type Prepared = ::planus::Offset<ReshapeOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<ReshapeOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl<T0: ::planus::WriteAsOptional<::planus::Offset<[i32]>>> ::planus::WriteAsOffset<ReshapeOptions>
            for ReshapeOptionsBuilder<(T0,)>
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ReshapeOptions> {
                let (v0,) = &self.0;
                ReshapeOptions::create(builder, v0)
            }
        }

        /// Reference to a deserialized [ReshapeOptions].
        #[derive(Copy, Clone)]
        pub struct ReshapeOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> ReshapeOptionsRef<'a> {
            /// Getter for the [`new_shape` field](ReshapeOptions#structfield.new_shape).
            #[inline]
            pub fn new_shape(&self) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, i32>>> {
                self.0.access(0, "ReshapeOptions", "new_shape")
            }
        }

        impl<'a> ::core::fmt::Debug for ReshapeOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("ReshapeOptionsRef");
                if let ::core::option::Option::Some(field_new_shape) = self.new_shape().transpose() {
                    f.field("new_shape", &field_new_shape);
                }
                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<ReshapeOptionsRef<'a>> for ReshapeOptions {
            type Error = ::planus::Error;

            #[allow(unreachable_code)]
            fn try_from(value: ReshapeOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {
                    new_shape: if let ::core::option::Option::Some(new_shape) = value.new_shape()? {
                        ::core::option::Option::Some(new_shape.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                })
            }
        }

        impl<'a> ::planus::TableRead<'a> for ReshapeOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for ReshapeOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[ReshapeOptionsRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<ReshapeOptions>> for ReshapeOptions {
            type Value = ::planus::Offset<ReshapeOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<ReshapeOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for ReshapeOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| {
                    error_kind.with_error_location("[ReshapeOptionsRef]", "read_as_root", 0)
                })
            }
        }

        /// The table `Conv2DOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `Conv2DOptions` in the file `src/import/tflite/schema.fbs:45`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct Conv2DOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for Conv2DOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl Conv2DOptions {
            /// Creates a [Conv2DOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> Conv2DOptionsBuilder<()> {
                Conv2DOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<Conv2DOptions>> for Conv2DOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Conv2DOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<Conv2DOptions>> for Conv2DOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<Conv2DOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<Conv2DOptions> for Conv2DOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Conv2DOptions> {
                Conv2DOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [Conv2DOptions] type.
        ///
        /// Can be created using the [Conv2DOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct Conv2DOptionsBuilder<State>(State);

        impl Conv2DOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [Conv2DOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<Conv2DOptions>
            where
                Self: ::planus::WriteAsOffset<Conv2DOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<Conv2DOptions>> for Conv2DOptionsBuilder<()> {
            type Prepared = ::planus::Offset<Conv2DOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Conv2DOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<Conv2DOptions>> for Conv2DOptionsBuilder<()> {
            type Prepared = ::planus::Offset<Conv2DOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<Conv2DOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<Conv2DOptions> for Conv2DOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Conv2DOptions> {
                Conv2DOptions::create(builder)
            }
        }

        /// Reference to a deserialized [Conv2DOptions].
        #[derive(Copy, Clone)]
        pub struct Conv2DOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> Conv2DOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for Conv2DOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("Conv2DOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<Conv2DOptionsRef<'a>> for Conv2DOptions {
            type Error = ::planus::Error;

            fn try_from(_value: Conv2DOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for Conv2DOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for Conv2DOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[Conv2DOptionsRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<Conv2DOptions>> for Conv2DOptions {
            type Value = ::planus::Offset<Conv2DOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<Conv2DOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for Conv2DOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[Conv2DOptionsRef]", "read_as_root", 0))
            }
        }

        /// The table `DepthwiseConv2DOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `DepthwiseConv2DOptions` in the file `src/import/tflite/schema.fbs:46`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct DepthwiseConv2DOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for DepthwiseConv2DOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl DepthwiseConv2DOptions {
            /// Creates a [DepthwiseConv2DOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> DepthwiseConv2DOptionsBuilder<()> {
                DepthwiseConv2DOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<DepthwiseConv2DOptions>> for DepthwiseConv2DOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<DepthwiseConv2DOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<DepthwiseConv2DOptions>> for DepthwiseConv2DOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<DepthwiseConv2DOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<DepthwiseConv2DOptions> for DepthwiseConv2DOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<DepthwiseConv2DOptions> {
                DepthwiseConv2DOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [DepthwiseConv2DOptions] type.
        ///
        /// Can be created using the [DepthwiseConv2DOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct DepthwiseConv2DOptionsBuilder<State>(State);

        impl DepthwiseConv2DOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [DepthwiseConv2DOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<DepthwiseConv2DOptions>
            where
                Self: ::planus::WriteAsOffset<DepthwiseConv2DOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<DepthwiseConv2DOptions>> for DepthwiseConv2DOptionsBuilder<()> {
            type Prepared = ::planus::Offset<DepthwiseConv2DOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<DepthwiseConv2DOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<DepthwiseConv2DOptions>>
            for DepthwiseConv2DOptionsBuilder<()>
        {
            type Prepared = ::planus::Offset<DepthwiseConv2DOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<DepthwiseConv2DOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<DepthwiseConv2DOptions> for DepthwiseConv2DOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<DepthwiseConv2DOptions> {
                DepthwiseConv2DOptions::create(builder)
            }
        }

        /// Reference to a deserialized [DepthwiseConv2DOptions].
        #[derive(Copy, Clone)]
        pub struct DepthwiseConv2DOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> DepthwiseConv2DOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for DepthwiseConv2DOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("DepthwiseConv2DOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<DepthwiseConv2DOptionsRef<'a>> for DepthwiseConv2DOptions {
            type Error = ::planus::Error;

            fn try_from(_value: DepthwiseConv2DOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for DepthwiseConv2DOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for DepthwiseConv2DOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location(
                        "[DepthwiseConv2DOptionsRef]",
                        "get",
                        buffer.offset_from_start,
                    )
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<DepthwiseConv2DOptions>> for DepthwiseConv2DOptions {
            type Value = ::planus::Offset<DepthwiseConv2DOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<DepthwiseConv2DOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for DepthwiseConv2DOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| {
                    error_kind.with_error_location("[DepthwiseConv2DOptionsRef]", "read_as_root", 0)
                })
            }
        }

        /// The table `ConcatEmbeddingsOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `ConcatEmbeddingsOptions` in the file `src/import/tflite/schema.fbs:47`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct ConcatEmbeddingsOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for ConcatEmbeddingsOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl ConcatEmbeddingsOptions {
            /// Creates a [ConcatEmbeddingsOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> ConcatEmbeddingsOptionsBuilder<()> {
                ConcatEmbeddingsOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<ConcatEmbeddingsOptions>> for ConcatEmbeddingsOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ConcatEmbeddingsOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<ConcatEmbeddingsOptions>> for ConcatEmbeddingsOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<ConcatEmbeddingsOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<ConcatEmbeddingsOptions> for ConcatEmbeddingsOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ConcatEmbeddingsOptions> {
                ConcatEmbeddingsOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [ConcatEmbeddingsOptions] type.
        ///
        /// Can be created using the [ConcatEmbeddingsOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct ConcatEmbeddingsOptionsBuilder<State>(State);

        impl ConcatEmbeddingsOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [ConcatEmbeddingsOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<ConcatEmbeddingsOptions>
            where
                Self: ::planus::WriteAsOffset<ConcatEmbeddingsOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<ConcatEmbeddingsOptions>> for ConcatEmbeddingsOptionsBuilder<()> {
            type Prepared = ::planus::Offset<ConcatEmbeddingsOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ConcatEmbeddingsOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<ConcatEmbeddingsOptions>>
            for ConcatEmbeddingsOptionsBuilder<()>
        {
            type Prepared = ::planus::Offset<ConcatEmbeddingsOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<ConcatEmbeddingsOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<ConcatEmbeddingsOptions> for ConcatEmbeddingsOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ConcatEmbeddingsOptions> {
                ConcatEmbeddingsOptions::create(builder)
            }
        }

        /// Reference to a deserialized [ConcatEmbeddingsOptions].
        #[derive(Copy, Clone)]
        pub struct ConcatEmbeddingsOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> ConcatEmbeddingsOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for ConcatEmbeddingsOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("ConcatEmbeddingsOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<ConcatEmbeddingsOptionsRef<'a>> for ConcatEmbeddingsOptions {
            type Error = ::planus::Error;

            fn try_from(_value: ConcatEmbeddingsOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for ConcatEmbeddingsOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for ConcatEmbeddingsOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location(
                        "[ConcatEmbeddingsOptionsRef]",
                        "get",
                        buffer.offset_from_start,
                    )
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<ConcatEmbeddingsOptions>> for ConcatEmbeddingsOptions {
            type Value = ::planus::Offset<ConcatEmbeddingsOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<ConcatEmbeddingsOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for ConcatEmbeddingsOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| {
                    error_kind.with_error_location("[ConcatEmbeddingsOptionsRef]", "read_as_root", 0)
                })
            }
        }

        /// The table `LSHProjectionOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `LSHProjectionOptions` in the file `src/import/tflite/schema.fbs:48`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct LshProjectionOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for LshProjectionOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl LshProjectionOptions {
            /// Creates a [LshProjectionOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> LshProjectionOptionsBuilder<()> {
                LshProjectionOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<LshProjectionOptions>> for LshProjectionOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<LshProjectionOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<LshProjectionOptions>> for LshProjectionOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<LshProjectionOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<LshProjectionOptions> for LshProjectionOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<LshProjectionOptions> {
                LshProjectionOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [LshProjectionOptions] type.
        ///
        /// Can be created using the [LshProjectionOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct LshProjectionOptionsBuilder<State>(State);

        impl LshProjectionOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [LshProjectionOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<LshProjectionOptions>
            where
                Self: ::planus::WriteAsOffset<LshProjectionOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<LshProjectionOptions>> for LshProjectionOptionsBuilder<()> {
            type Prepared = ::planus::Offset<LshProjectionOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<LshProjectionOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<LshProjectionOptions>> for LshProjectionOptionsBuilder<()> {
            type Prepared = ::planus::Offset<LshProjectionOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<LshProjectionOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<LshProjectionOptions> for LshProjectionOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<LshProjectionOptions> {
                LshProjectionOptions::create(builder)
            }
        }

        /// Reference to a deserialized [LshProjectionOptions].
        #[derive(Copy, Clone)]
        pub struct LshProjectionOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> LshProjectionOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for LshProjectionOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("LshProjectionOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<LshProjectionOptionsRef<'a>> for LshProjectionOptions {
            type Error = ::planus::Error;

            fn try_from(_value: LshProjectionOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for LshProjectionOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for LshProjectionOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location(
                        "[LshProjectionOptionsRef]",
                        "get",
                        buffer.offset_from_start,
                    )
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<LshProjectionOptions>> for LshProjectionOptions {
            type Value = ::planus::Offset<LshProjectionOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<LshProjectionOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for LshProjectionOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| {
                    error_kind.with_error_location("[LshProjectionOptionsRef]", "read_as_root", 0)
                })
            }
        }

        /// The table `Pool2DOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `Pool2DOptions` in the file `src/import/tflite/schema.fbs:49`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct Pool2DOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for Pool2DOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl Pool2DOptions {
            /// Creates a [Pool2DOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> Pool2DOptionsBuilder<()> {
                Pool2DOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<Pool2DOptions>> for Pool2DOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Pool2DOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<Pool2DOptions>> for Pool2DOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<Pool2DOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<Pool2DOptions> for Pool2DOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Pool2DOptions> {
                Pool2DOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [Pool2DOptions] type.
        ///
        /// Can be created using the [Pool2DOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct Pool2DOptionsBuilder<State>(State);

        impl Pool2DOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [Pool2DOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<Pool2DOptions>
            where
                Self: ::planus::WriteAsOffset<Pool2DOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<Pool2DOptions>> for Pool2DOptionsBuilder<()> {
            type Prepared = ::planus::Offset<Pool2DOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Pool2DOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<Pool2DOptions>> for Pool2DOptionsBuilder<()> {
            type Prepared = ::planus::Offset<Pool2DOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<Pool2DOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<Pool2DOptions> for Pool2DOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Pool2DOptions> {
                Pool2DOptions::create(builder)
            }
        }

        /// Reference to a deserialized [Pool2DOptions].
        #[derive(Copy, Clone)]
        pub struct Pool2DOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> Pool2DOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for Pool2DOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("Pool2DOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<Pool2DOptionsRef<'a>> for Pool2DOptions {
            type Error = ::planus::Error;

            fn try_from(_value: Pool2DOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for Pool2DOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for Pool2DOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[Pool2DOptionsRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<Pool2DOptions>> for Pool2DOptions {
            type Value = ::planus::Offset<Pool2DOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<Pool2DOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for Pool2DOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[Pool2DOptionsRef]", "read_as_root", 0))
            }
        }

        /// The table `SVDFOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `SVDFOptions` in the file `src/import/tflite/schema.fbs:50`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct SvdfOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for SvdfOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl SvdfOptions {
            /// Creates a [SvdfOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> SvdfOptionsBuilder<()> {
                SvdfOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<SvdfOptions>> for SvdfOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SvdfOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<SvdfOptions>> for SvdfOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<SvdfOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<SvdfOptions> for SvdfOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SvdfOptions> {
                SvdfOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [SvdfOptions] type.
        ///
        /// Can be created using the [SvdfOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct SvdfOptionsBuilder<State>(State);

        impl SvdfOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [SvdfOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<SvdfOptions>
            where
                Self: ::planus::WriteAsOffset<SvdfOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<SvdfOptions>> for SvdfOptionsBuilder<()> {
            type Prepared = ::planus::Offset<SvdfOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SvdfOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<SvdfOptions>> for SvdfOptionsBuilder<()> {
            type Prepared = ::planus::Offset<SvdfOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<SvdfOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<SvdfOptions> for SvdfOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SvdfOptions> {
                SvdfOptions::create(builder)
            }
        }

        /// Reference to a deserialized [SvdfOptions].
        #[derive(Copy, Clone)]
        pub struct SvdfOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> SvdfOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for SvdfOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("SvdfOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<SvdfOptionsRef<'a>> for SvdfOptions {
            type Error = ::planus::Error;

            fn try_from(_value: SvdfOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for SvdfOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for SvdfOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[SvdfOptionsRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<SvdfOptions>> for SvdfOptions {
            type Value = ::planus::Offset<SvdfOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<SvdfOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for SvdfOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[SvdfOptionsRef]", "read_as_root", 0))
            }
        }

        /// The table `RNNOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `RNNOptions` in the file `src/import/tflite/schema.fbs:51`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct RnnOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for RnnOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl RnnOptions {
            /// Creates a [RnnOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> RnnOptionsBuilder<()> {
                RnnOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<RnnOptions>> for RnnOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<RnnOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<RnnOptions>> for RnnOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<RnnOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<RnnOptions> for RnnOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<RnnOptions> {
                RnnOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [RnnOptions] type.
        ///
        /// Can be created using the [RnnOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct RnnOptionsBuilder<State>(State);

        impl RnnOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [RnnOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<RnnOptions>
            where
                Self: ::planus::WriteAsOffset<RnnOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<RnnOptions>> for RnnOptionsBuilder<()> {
            type Prepared = ::planus::Offset<RnnOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<RnnOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<RnnOptions>> for RnnOptionsBuilder<()> {
            type Prepared = ::planus::Offset<RnnOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<RnnOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<RnnOptions> for RnnOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<RnnOptions> {
                RnnOptions::create(builder)
            }
        }

        /// Reference to a deserialized [RnnOptions].
        #[derive(Copy, Clone)]
        pub struct RnnOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> RnnOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for RnnOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("RnnOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<RnnOptionsRef<'a>> for RnnOptions {
            type Error = ::planus::Error;

            fn try_from(_value: RnnOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for RnnOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for RnnOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[RnnOptionsRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<RnnOptions>> for RnnOptions {
            type Value = ::planus::Offset<RnnOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<RnnOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for RnnOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[RnnOptionsRef]", "read_as_root", 0))
            }
        }

        /// The table `ConcatenationOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `ConcatenationOptions` in the file `src/import/tflite/schema.fbs:52`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct ConcatenationOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for ConcatenationOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl ConcatenationOptions {
            /// Creates a [ConcatenationOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> ConcatenationOptionsBuilder<()> {
                ConcatenationOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<ConcatenationOptions>> for ConcatenationOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ConcatenationOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<ConcatenationOptions>> for ConcatenationOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<ConcatenationOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<ConcatenationOptions> for ConcatenationOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ConcatenationOptions> {
                ConcatenationOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [ConcatenationOptions] type.
        ///
        /// Can be created using the [ConcatenationOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct ConcatenationOptionsBuilder<State>(State);

        impl ConcatenationOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [ConcatenationOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<ConcatenationOptions>
            where
                Self: ::planus::WriteAsOffset<ConcatenationOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<ConcatenationOptions>> for ConcatenationOptionsBuilder<()> {
            type Prepared = ::planus::Offset<ConcatenationOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ConcatenationOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<ConcatenationOptions>> for ConcatenationOptionsBuilder<()> {
            type Prepared = ::planus::Offset<ConcatenationOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<ConcatenationOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<ConcatenationOptions> for ConcatenationOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ConcatenationOptions> {
                ConcatenationOptions::create(builder)
            }
        }

        /// Reference to a deserialized [ConcatenationOptions].
        #[derive(Copy, Clone)]
        pub struct ConcatenationOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> ConcatenationOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for ConcatenationOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("ConcatenationOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<ConcatenationOptionsRef<'a>> for ConcatenationOptions {
            type Error = ::planus::Error;

            fn try_from(_value: ConcatenationOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for ConcatenationOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for ConcatenationOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location(
                        "[ConcatenationOptionsRef]",
                        "get",
                        buffer.offset_from_start,
                    )
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<ConcatenationOptions>> for ConcatenationOptions {
            type Value = ::planus::Offset<ConcatenationOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<ConcatenationOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for ConcatenationOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| {
                    error_kind.with_error_location("[ConcatenationOptionsRef]", "read_as_root", 0)
                })
            }
        }

        /// The table `AddOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `AddOptions` in the file `src/import/tflite/schema.fbs:53`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct AddOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for AddOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl AddOptions {
            /// Creates a [AddOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> AddOptionsBuilder<()> {
                AddOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<AddOptions>> for AddOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<AddOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<AddOptions>> for AddOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<AddOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<AddOptions> for AddOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<AddOptions> {
                AddOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [AddOptions] type.
        ///
        /// Can be created using the [AddOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct AddOptionsBuilder<State>(State);

        impl AddOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [AddOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<AddOptions>
            where
                Self: ::planus::WriteAsOffset<AddOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<AddOptions>> for AddOptionsBuilder<()> {
            type Prepared = ::planus::Offset<AddOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<AddOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<AddOptions>> for AddOptionsBuilder<()> {
            type Prepared = ::planus::Offset<AddOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<AddOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<AddOptions> for AddOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<AddOptions> {
                AddOptions::create(builder)
            }
        }

        /// Reference to a deserialized [AddOptions].
        #[derive(Copy, Clone)]
        pub struct AddOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> AddOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for AddOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("AddOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<AddOptionsRef<'a>> for AddOptions {
            type Error = ::planus::Error;

            fn try_from(_value: AddOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for AddOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for AddOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[AddOptionsRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<AddOptions>> for AddOptions {
            type Value = ::planus::Offset<AddOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<AddOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for AddOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[AddOptionsRef]", "read_as_root", 0))
            }
        }

        /// The table `L2NormOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `L2NormOptions` in the file `src/import/tflite/schema.fbs:54`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct L2NormOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for L2NormOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl L2NormOptions {
            /// Creates a [L2NormOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> L2NormOptionsBuilder<()> {
                L2NormOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<L2NormOptions>> for L2NormOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<L2NormOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<L2NormOptions>> for L2NormOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<L2NormOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<L2NormOptions> for L2NormOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<L2NormOptions> {
                L2NormOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [L2NormOptions] type.
        ///
        /// Can be created using the [L2NormOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct L2NormOptionsBuilder<State>(State);

        impl L2NormOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [L2NormOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<L2NormOptions>
            where
                Self: ::planus::WriteAsOffset<L2NormOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<L2NormOptions>> for L2NormOptionsBuilder<()> {
            type Prepared = ::planus::Offset<L2NormOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<L2NormOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<L2NormOptions>> for L2NormOptionsBuilder<()> {
            type Prepared = ::planus::Offset<L2NormOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<L2NormOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<L2NormOptions> for L2NormOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<L2NormOptions> {
                L2NormOptions::create(builder)
            }
        }

        /// Reference to a deserialized [L2NormOptions].
        #[derive(Copy, Clone)]
        pub struct L2NormOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> L2NormOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for L2NormOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("L2NormOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<L2NormOptionsRef<'a>> for L2NormOptions {
            type Error = ::planus::Error;

            fn try_from(_value: L2NormOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for L2NormOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for L2NormOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[L2NormOptionsRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<L2NormOptions>> for L2NormOptions {
            type Value = ::planus::Offset<L2NormOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<L2NormOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for L2NormOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[L2NormOptionsRef]", "read_as_root", 0))
            }
        }

        /// The table `LocalResponseNormalizationOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `LocalResponseNormalizationOptions` in the file `src/import/tflite/schema.fbs:55`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct LocalResponseNormalizationOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for LocalResponseNormalizationOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl LocalResponseNormalizationOptions {
            /// Creates a [LocalResponseNormalizationOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> LocalResponseNormalizationOptionsBuilder<()> {
                LocalResponseNormalizationOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<LocalResponseNormalizationOptions>>
            for LocalResponseNormalizationOptions
        {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::planus::Offset<LocalResponseNormalizationOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<LocalResponseNormalizationOptions>>
            for LocalResponseNormalizationOptions
        {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<LocalResponseNormalizationOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<LocalResponseNormalizationOptions> for LocalResponseNormalizationOptions {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::planus::Offset<LocalResponseNormalizationOptions> {
                LocalResponseNormalizationOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [LocalResponseNormalizationOptions] type.
        ///
        /// Can be created using the [LocalResponseNormalizationOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct LocalResponseNormalizationOptionsBuilder<State>(State);

        impl LocalResponseNormalizationOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [LocalResponseNormalizationOptions].
            #[inline]
            pub fn finish(
                self,
                builder: &mut ::planus::Builder,
            ) -> ::planus::Offset<LocalResponseNormalizationOptions>
            where
                Self: ::planus::WriteAsOffset<LocalResponseNormalizationOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<LocalResponseNormalizationOptions>>
            for LocalResponseNormalizationOptionsBuilder<()>
        {
            type Prepared = ::planus::Offset<LocalResponseNormalizationOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::planus::Offset<LocalResponseNormalizationOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<LocalResponseNormalizationOptions>>
            for LocalResponseNormalizationOptionsBuilder<()>
        {
            type Prepared = ::planus::Offset<LocalResponseNormalizationOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<LocalResponseNormalizationOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<LocalResponseNormalizationOptions>
            for LocalResponseNormalizationOptionsBuilder<()>
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::planus::Offset<LocalResponseNormalizationOptions> {
                LocalResponseNormalizationOptions::create(builder)
            }
        }

        /// Reference to a deserialized [LocalResponseNormalizationOptions].
        #[derive(Copy, Clone)]
        pub struct LocalResponseNormalizationOptionsRef<'a>(
            #[allow(dead_code)] ::planus::table_reader::Table<'a>,
        );

        impl<'a> LocalResponseNormalizationOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for LocalResponseNormalizationOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("LocalResponseNormalizationOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<LocalResponseNormalizationOptionsRef<'a>>
            for LocalResponseNormalizationOptions
        {
            type Error = ::planus::Error;

            fn try_from(_value: LocalResponseNormalizationOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for LocalResponseNormalizationOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for LocalResponseNormalizationOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location(
                        "[LocalResponseNormalizationOptionsRef]",
                        "get",
                        buffer.offset_from_start,
                    )
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<LocalResponseNormalizationOptions>>
            for LocalResponseNormalizationOptions
        {
            type Value = ::planus::Offset<LocalResponseNormalizationOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<LocalResponseNormalizationOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for LocalResponseNormalizationOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| {
                    error_kind.with_error_location(
                        "[LocalResponseNormalizationOptionsRef]",
                        "read_as_root",
                        0,
                    )
                })
            }
        }

        /// The table `LSTMOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `LSTMOptions` in the file `src/import/tflite/schema.fbs:56`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct LstmOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for LstmOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl LstmOptions {
            /// Creates a [LstmOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> LstmOptionsBuilder<()> {
                LstmOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<LstmOptions>> for LstmOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<LstmOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<LstmOptions>> for LstmOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<LstmOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<LstmOptions> for LstmOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<LstmOptions> {
                LstmOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [LstmOptions] type.
        ///
        /// Can be created using the [LstmOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct LstmOptionsBuilder<State>(State);

        impl LstmOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [LstmOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<LstmOptions>
            where
                Self: ::planus::WriteAsOffset<LstmOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<LstmOptions>> for LstmOptionsBuilder<()> {
            type Prepared = ::planus::Offset<LstmOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<LstmOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<LstmOptions>> for LstmOptionsBuilder<()> {
            type Prepared = ::planus::Offset<LstmOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<LstmOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<LstmOptions> for LstmOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<LstmOptions> {
                LstmOptions::create(builder)
            }
        }

        /// Reference to a deserialized [LstmOptions].
        #[derive(Copy, Clone)]
        pub struct LstmOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> LstmOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for LstmOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("LstmOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<LstmOptionsRef<'a>> for LstmOptions {
            type Error = ::planus::Error;

            fn try_from(_value: LstmOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for LstmOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for LstmOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[LstmOptionsRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<LstmOptions>> for LstmOptions {
            type Value = ::planus::Offset<LstmOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<LstmOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for LstmOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[LstmOptionsRef]", "read_as_root", 0))
            }
        }

        /// The table `ResizeBilinearOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `ResizeBilinearOptions` in the file `src/import/tflite/schema.fbs:57`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct ResizeBilinearOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for ResizeBilinearOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl ResizeBilinearOptions {
            /// Creates a [ResizeBilinearOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> ResizeBilinearOptionsBuilder<()> {
                ResizeBilinearOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<ResizeBilinearOptions>> for ResizeBilinearOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ResizeBilinearOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<ResizeBilinearOptions>> for ResizeBilinearOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<ResizeBilinearOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<ResizeBilinearOptions> for ResizeBilinearOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ResizeBilinearOptions> {
                ResizeBilinearOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [ResizeBilinearOptions] type.
        ///
        /// Can be created using the [ResizeBilinearOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct ResizeBilinearOptionsBuilder<State>(State);

        impl ResizeBilinearOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [ResizeBilinearOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<ResizeBilinearOptions>
            where
                Self: ::planus::WriteAsOffset<ResizeBilinearOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<ResizeBilinearOptions>> for ResizeBilinearOptionsBuilder<()> {
            type Prepared = ::planus::Offset<ResizeBilinearOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ResizeBilinearOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<ResizeBilinearOptions>> for ResizeBilinearOptionsBuilder<()> {
            type Prepared = ::planus::Offset<ResizeBilinearOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<ResizeBilinearOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<ResizeBilinearOptions> for ResizeBilinearOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<ResizeBilinearOptions> {
                ResizeBilinearOptions::create(builder)
            }
        }

        /// Reference to a deserialized [ResizeBilinearOptions].
        #[derive(Copy, Clone)]
        pub struct ResizeBilinearOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> ResizeBilinearOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for ResizeBilinearOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("ResizeBilinearOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<ResizeBilinearOptionsRef<'a>> for ResizeBilinearOptions {
            type Error = ::planus::Error;

            fn try_from(_value: ResizeBilinearOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for ResizeBilinearOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for ResizeBilinearOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location(
                        "[ResizeBilinearOptionsRef]",
                        "get",
                        buffer.offset_from_start,
                    )
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<ResizeBilinearOptions>> for ResizeBilinearOptions {
            type Value = ::planus::Offset<ResizeBilinearOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<ResizeBilinearOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for ResizeBilinearOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| {
                    error_kind.with_error_location("[ResizeBilinearOptionsRef]", "read_as_root", 0)
                })
            }
        }

        /// The table `CallOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `CallOptions` in the file `src/import/tflite/schema.fbs:58`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct CallOptions {}

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for CallOptions {
            fn default() -> Self {
                Self {}
            }
        }

        impl CallOptions {
            /// Creates a [CallOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> CallOptionsBuilder<()> {
                CallOptionsBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(builder: &mut ::planus::Builder) -> ::planus::Offset<Self> {
                let table_writer: ::planus::table_writer::TableWriter<4> =
                    ::core::default::Default::default();
                unsafe {
                    table_writer.finish(builder, |_table_writer| {});
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<CallOptions>> for CallOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<CallOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<CallOptions>> for CallOptions {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<CallOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<CallOptions> for CallOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<CallOptions> {
                CallOptions::create(builder)
            }
        }

        /// Builder for serializing an instance of the [CallOptions] type.
        ///
        /// Can be created using the [CallOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct CallOptionsBuilder<State>(State);

        impl CallOptionsBuilder<()> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [CallOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<CallOptions>
            where
                Self: ::planus::WriteAsOffset<CallOptions>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl ::planus::WriteAs<::planus::Offset<CallOptions>> for CallOptionsBuilder<()> {
            type Prepared = ::planus::Offset<CallOptions>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<CallOptions> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<CallOptions>> for CallOptionsBuilder<()> {
            type Prepared = ::planus::Offset<CallOptions>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<CallOptions>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<CallOptions> for CallOptionsBuilder<()> {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<CallOptions> {
                CallOptions::create(builder)
            }
        }

        /// Reference to a deserialized [CallOptions].
        #[derive(Copy, Clone)]
        pub struct CallOptionsRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> CallOptionsRef<'a> {}

        impl<'a> ::core::fmt::Debug for CallOptionsRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("CallOptionsRef");

                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<CallOptionsRef<'a>> for CallOptions {
            type Error = ::planus::Error;

            fn try_from(_value: CallOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {})
            }
        }

        impl<'a> ::planus::TableRead<'a> for CallOptionsRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for CallOptionsRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[CallOptionsRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<CallOptions>> for CallOptions {
            type Value = ::planus::Offset<CallOptions>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<CallOptions>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for CallOptionsRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[CallOptionsRef]", "read_as_root", 0))
            }
        }

        /// The union `BuiltinOptions` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Union `BuiltinOptions` in the file `src/import/tflite/schema.fbs:60`
        #[derive(Clone, Debug, PartialEq, PartialOrd)]
        pub enum BuiltinOptions {
            /// The variant of type `Conv2DOptions` in the union `BuiltinOptions`
            Conv2DOptions(::planus::alloc::boxed::Box<self::Conv2DOptions>),

            /// The variant of type `DepthwiseConv2DOptions` in the union `BuiltinOptions`
            DepthwiseConv2DOptions(::planus::alloc::boxed::Box<self::DepthwiseConv2DOptions>),

            /// The variant of type `ConcatEmbeddingsOptions` in the union `BuiltinOptions`
            ConcatEmbeddingsOptions(::planus::alloc::boxed::Box<self::ConcatEmbeddingsOptions>),

            /// The variant of type `LSHProjectionOptions` in the union `BuiltinOptions`
            LshProjectionOptions(::planus::alloc::boxed::Box<self::LshProjectionOptions>),

            /// The variant of type `Pool2DOptions` in the union `BuiltinOptions`
            Pool2DOptions(::planus::alloc::boxed::Box<self::Pool2DOptions>),

            /// The variant of type `SVDFOptions` in the union `BuiltinOptions`
            SvdfOptions(::planus::alloc::boxed::Box<self::SvdfOptions>),

            /// The variant of type `RNNOptions` in the union `BuiltinOptions`
            RnnOptions(::planus::alloc::boxed::Box<self::RnnOptions>),

            /// The variant of type `FullyConnectedOptions` in the union `BuiltinOptions`
            FullyConnectedOptions(::planus::alloc::boxed::Box<self::FullyConnectedOptions>),

            /// The variant of type `SoftmaxOptions` in the union `BuiltinOptions`
            SoftmaxOptions(::planus::alloc::boxed::Box<self::SoftmaxOptions>),

            /// The variant of type `ConcatenationOptions` in the union `BuiltinOptions`
            ConcatenationOptions(::planus::alloc::boxed::Box<self::ConcatenationOptions>),

            /// The variant of type `AddOptions` in the union `BuiltinOptions`
            AddOptions(::planus::alloc::boxed::Box<self::AddOptions>),

            /// The variant of type `L2NormOptions` in the union `BuiltinOptions`
            L2NormOptions(::planus::alloc::boxed::Box<self::L2NormOptions>),

            /// The variant of type `LocalResponseNormalizationOptions` in the union `BuiltinOptions`
            LocalResponseNormalizationOptions(
                ::planus::alloc::boxed::Box<self::LocalResponseNormalizationOptions>,
            ),

            /// The variant of type `LSTMOptions` in the union `BuiltinOptions`
            LstmOptions(::planus::alloc::boxed::Box<self::LstmOptions>),

            /// The variant of type `ResizeBilinearOptions` in the union `BuiltinOptions`
            ResizeBilinearOptions(::planus::alloc::boxed::Box<self::ResizeBilinearOptions>),

            /// The variant of type `CallOptions` in the union `BuiltinOptions`
            CallOptions(::planus::alloc::boxed::Box<self::CallOptions>),

            /// The variant of type `ReshapeOptions` in the union `BuiltinOptions`
            ReshapeOptions(::planus::alloc::boxed::Box<self::ReshapeOptions>),
        }

        impl BuiltinOptions {
            /// Creates a [BuiltinOptionsBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> BuiltinOptionsBuilder<::planus::Uninitialized> {
                BuiltinOptionsBuilder(::planus::Uninitialized)
            }

            #[inline]
            pub fn create_conv2_d_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::Conv2DOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(1, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_depthwise_conv2_d_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::DepthwiseConv2DOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(2, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_concat_embeddings_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::ConcatEmbeddingsOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(3, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_lsh_projection_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::LshProjectionOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(4, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_pool2_d_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::Pool2DOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(5, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_svdf_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::SvdfOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(6, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_rnn_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::RnnOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(7, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_fully_connected_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::FullyConnectedOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(8, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_softmax_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::SoftmaxOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(9, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_concatenation_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::ConcatenationOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(10, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_add_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::AddOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(11, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_l2_norm_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::L2NormOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(12, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_local_response_normalization_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::LocalResponseNormalizationOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(13, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_lstm_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::LstmOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(14, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_resize_bilinear_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::ResizeBilinearOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(15, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_call_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::CallOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(16, value.prepare(builder).downcast())
            }

            #[inline]
            pub fn create_reshape_options(
                builder: &mut ::planus::Builder,
                value: impl ::planus::WriteAsOffset<self::ReshapeOptions>,
            ) -> ::planus::UnionOffset<Self> {
                ::planus::UnionOffset::new(17, value.prepare(builder).downcast())
            }
        }

        impl ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptions {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<Self> {
                match self {
                    Self::Conv2DOptions(value) => Self::create_conv2_d_options(builder, value),
                    Self::DepthwiseConv2DOptions(value) => {
                        Self::create_depthwise_conv2_d_options(builder, value)
                    }
                    Self::ConcatEmbeddingsOptions(value) => {
                        Self::create_concat_embeddings_options(builder, value)
                    }
                    Self::LshProjectionOptions(value) => Self::create_lsh_projection_options(builder, value),
                    Self::Pool2DOptions(value) => Self::create_pool2_d_options(builder, value),
                    Self::SvdfOptions(value) => Self::create_svdf_options(builder, value),
                    Self::RnnOptions(value) => Self::create_rnn_options(builder, value),
                    Self::FullyConnectedOptions(value) => {
                        Self::create_fully_connected_options(builder, value)
                    }
                    Self::SoftmaxOptions(value) => Self::create_softmax_options(builder, value),
                    Self::ConcatenationOptions(value) => Self::create_concatenation_options(builder, value),
                    Self::AddOptions(value) => Self::create_add_options(builder, value),
                    Self::L2NormOptions(value) => Self::create_l2_norm_options(builder, value),
                    Self::LocalResponseNormalizationOptions(value) => {
                        Self::create_local_response_normalization_options(builder, value)
                    }
                    Self::LstmOptions(value) => Self::create_lstm_options(builder, value),
                    Self::ResizeBilinearOptions(value) => {
                        Self::create_resize_bilinear_options(builder, value)
                    }
                    Self::CallOptions(value) => Self::create_call_options(builder, value),
                    Self::ReshapeOptions(value) => Self::create_reshape_options(builder, value),
                }
            }
        }

        impl ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptions {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<Self>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }

        /// Builder for serializing an instance of the [BuiltinOptions] type.
        ///
        /// Can be created using the [BuiltinOptions::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct BuiltinOptionsBuilder<T>(T);

        impl BuiltinOptionsBuilder<::planus::Uninitialized> {
            /// Creates an instance of the [`Conv2DOptions` variant](BuiltinOptions#variant.Conv2DOptions).
            #[inline]
            pub fn conv2_d_options<T>(self, value: T) -> BuiltinOptionsBuilder<::planus::Initialized<1, T>>
            where
                T: ::planus::WriteAsOffset<self::Conv2DOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`DepthwiseConv2DOptions` variant](BuiltinOptions#variant.DepthwiseConv2DOptions).
            #[inline]
            pub fn depthwise_conv2_d_options<T>(
                self,
                value: T,
            ) -> BuiltinOptionsBuilder<::planus::Initialized<2, T>>
            where
                T: ::planus::WriteAsOffset<self::DepthwiseConv2DOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`ConcatEmbeddingsOptions` variant](BuiltinOptions#variant.ConcatEmbeddingsOptions).
            #[inline]
            pub fn concat_embeddings_options<T>(
                self,
                value: T,
            ) -> BuiltinOptionsBuilder<::planus::Initialized<3, T>>
            where
                T: ::planus::WriteAsOffset<self::ConcatEmbeddingsOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`LSHProjectionOptions` variant](BuiltinOptions#variant.LshProjectionOptions).
            #[inline]
            pub fn lsh_projection_options<T>(
                self,
                value: T,
            ) -> BuiltinOptionsBuilder<::planus::Initialized<4, T>>
            where
                T: ::planus::WriteAsOffset<self::LshProjectionOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`Pool2DOptions` variant](BuiltinOptions#variant.Pool2DOptions).
            #[inline]
            pub fn pool2_d_options<T>(self, value: T) -> BuiltinOptionsBuilder<::planus::Initialized<5, T>>
            where
                T: ::planus::WriteAsOffset<self::Pool2DOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`SVDFOptions` variant](BuiltinOptions#variant.SvdfOptions).
            #[inline]
            pub fn svdf_options<T>(self, value: T) -> BuiltinOptionsBuilder<::planus::Initialized<6, T>>
            where
                T: ::planus::WriteAsOffset<self::SvdfOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`RNNOptions` variant](BuiltinOptions#variant.RnnOptions).
            #[inline]
            pub fn rnn_options<T>(self, value: T) -> BuiltinOptionsBuilder<::planus::Initialized<7, T>>
            where
                T: ::planus::WriteAsOffset<self::RnnOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`FullyConnectedOptions` variant](BuiltinOptions#variant.FullyConnectedOptions).
            #[inline]
            pub fn fully_connected_options<T>(
                self,
                value: T,
            ) -> BuiltinOptionsBuilder<::planus::Initialized<8, T>>
            where
                T: ::planus::WriteAsOffset<self::FullyConnectedOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`SoftmaxOptions` variant](BuiltinOptions#variant.SoftmaxOptions).
            #[inline]
            pub fn softmax_options<T>(self, value: T) -> BuiltinOptionsBuilder<::planus::Initialized<9, T>>
            where
                T: ::planus::WriteAsOffset<self::SoftmaxOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`ConcatenationOptions` variant](BuiltinOptions#variant.ConcatenationOptions).
            #[inline]
            pub fn concatenation_options<T>(
                self,
                value: T,
            ) -> BuiltinOptionsBuilder<::planus::Initialized<10, T>>
            where
                T: ::planus::WriteAsOffset<self::ConcatenationOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`AddOptions` variant](BuiltinOptions#variant.AddOptions).
            #[inline]
            pub fn add_options<T>(self, value: T) -> BuiltinOptionsBuilder<::planus::Initialized<11, T>>
            where
                T: ::planus::WriteAsOffset<self::AddOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`L2NormOptions` variant](BuiltinOptions#variant.L2NormOptions).
            #[inline]
            pub fn l2_norm_options<T>(self, value: T) -> BuiltinOptionsBuilder<::planus::Initialized<12, T>>
            where
                T: ::planus::WriteAsOffset<self::L2NormOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`LocalResponseNormalizationOptions` variant](BuiltinOptions#variant.LocalResponseNormalizationOptions).
            #[inline]
            pub fn local_response_normalization_options<T>(
                self,
                value: T,
            ) -> BuiltinOptionsBuilder<::planus::Initialized<13, T>>
            where
                T: ::planus::WriteAsOffset<self::LocalResponseNormalizationOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`LSTMOptions` variant](BuiltinOptions#variant.LstmOptions).
            #[inline]
            pub fn lstm_options<T>(self, value: T) -> BuiltinOptionsBuilder<::planus::Initialized<14, T>>
            where
                T: ::planus::WriteAsOffset<self::LstmOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`ResizeBilinearOptions` variant](BuiltinOptions#variant.ResizeBilinearOptions).
            #[inline]
            pub fn resize_bilinear_options<T>(
                self,
                value: T,
            ) -> BuiltinOptionsBuilder<::planus::Initialized<15, T>>
            where
                T: ::planus::WriteAsOffset<self::ResizeBilinearOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`CallOptions` variant](BuiltinOptions#variant.CallOptions).
            #[inline]
            pub fn call_options<T>(self, value: T) -> BuiltinOptionsBuilder<::planus::Initialized<16, T>>
            where
                T: ::planus::WriteAsOffset<self::CallOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }

            /// Creates an instance of the [`ReshapeOptions` variant](BuiltinOptions#variant.ReshapeOptions).
            #[inline]
            pub fn reshape_options<T>(self, value: T) -> BuiltinOptionsBuilder<::planus::Initialized<17, T>>
            where
                T: ::planus::WriteAsOffset<self::ReshapeOptions>,
            {
                BuiltinOptionsBuilder(::planus::Initialized(value))
            }
        }

        impl<const N: u8, T> BuiltinOptionsBuilder<::planus::Initialized<N, T>> {
            /// Finish writing the builder to get an [UnionOffset](::planus::UnionOffset) to a serialized [BuiltinOptions].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions>
            where
                Self: ::planus::WriteAsUnion<BuiltinOptions>,
            {
                ::planus::WriteAsUnion::prepare(&self, builder)
            }
        }

        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<1, T>>
        where
            T: ::planus::WriteAsOffset<self::Conv2DOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(1, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<1, T>>
        where
            T: ::planus::WriteAsOffset<self::Conv2DOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<2, T>>
        where
            T: ::planus::WriteAsOffset<self::DepthwiseConv2DOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(2, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<2, T>>
        where
            T: ::planus::WriteAsOffset<self::DepthwiseConv2DOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<3, T>>
        where
            T: ::planus::WriteAsOffset<self::ConcatEmbeddingsOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(3, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<3, T>>
        where
            T: ::planus::WriteAsOffset<self::ConcatEmbeddingsOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<4, T>>
        where
            T: ::planus::WriteAsOffset<self::LshProjectionOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(4, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<4, T>>
        where
            T: ::planus::WriteAsOffset<self::LshProjectionOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<5, T>>
        where
            T: ::planus::WriteAsOffset<self::Pool2DOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(5, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<5, T>>
        where
            T: ::planus::WriteAsOffset<self::Pool2DOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<6, T>>
        where
            T: ::planus::WriteAsOffset<self::SvdfOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(6, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<6, T>>
        where
            T: ::planus::WriteAsOffset<self::SvdfOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<7, T>>
        where
            T: ::planus::WriteAsOffset<self::RnnOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(7, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<7, T>>
        where
            T: ::planus::WriteAsOffset<self::RnnOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<8, T>>
        where
            T: ::planus::WriteAsOffset<self::FullyConnectedOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(8, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<8, T>>
        where
            T: ::planus::WriteAsOffset<self::FullyConnectedOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<9, T>>
        where
            T: ::planus::WriteAsOffset<self::SoftmaxOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(9, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<9, T>>
        where
            T: ::planus::WriteAsOffset<self::SoftmaxOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<10, T>>
        where
            T: ::planus::WriteAsOffset<self::ConcatenationOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(10, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<10, T>>
        where
            T: ::planus::WriteAsOffset<self::ConcatenationOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<11, T>>
        where
            T: ::planus::WriteAsOffset<self::AddOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(11, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<11, T>>
        where
            T: ::planus::WriteAsOffset<self::AddOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<12, T>>
        where
            T: ::planus::WriteAsOffset<self::L2NormOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(12, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<12, T>>
        where
            T: ::planus::WriteAsOffset<self::L2NormOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<13, T>>
        where
            T: ::planus::WriteAsOffset<self::LocalResponseNormalizationOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(13, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<13, T>>
        where
            T: ::planus::WriteAsOffset<self::LocalResponseNormalizationOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<14, T>>
        where
            T: ::planus::WriteAsOffset<self::LstmOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(14, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<14, T>>
        where
            T: ::planus::WriteAsOffset<self::LstmOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<15, T>>
        where
            T: ::planus::WriteAsOffset<self::ResizeBilinearOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(15, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<15, T>>
        where
            T: ::planus::WriteAsOffset<self::ResizeBilinearOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<16, T>>
        where
            T: ::planus::WriteAsOffset<self::CallOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(16, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<16, T>>
        where
            T: ::planus::WriteAsOffset<self::CallOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }
        impl<T> ::planus::WriteAsUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<17, T>>
        where
            T: ::planus::WriteAsOffset<self::ReshapeOptions>,
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::UnionOffset<BuiltinOptions> {
                ::planus::UnionOffset::new(17, (self.0).0.prepare(builder).downcast())
            }
        }

        impl<T> ::planus::WriteAsOptionalUnion<BuiltinOptions> for BuiltinOptionsBuilder<::planus::Initialized<17, T>>
        where
            T: ::planus::WriteAsOffset<self::ReshapeOptions>,
        {
            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::UnionOffset<BuiltinOptions>> {
                ::core::option::Option::Some(::planus::WriteAsUnion::prepare(self, builder))
            }
        }

        /// Reference to a deserialized [BuiltinOptions].
        #[derive(Copy, Clone, Debug)]
        pub enum BuiltinOptionsRef<'a> {
            Conv2DOptions(self::Conv2DOptionsRef<'a>),
            DepthwiseConv2DOptions(self::DepthwiseConv2DOptionsRef<'a>),
            ConcatEmbeddingsOptions(self::ConcatEmbeddingsOptionsRef<'a>),
            LshProjectionOptions(self::LshProjectionOptionsRef<'a>),
            Pool2DOptions(self::Pool2DOptionsRef<'a>),
            SvdfOptions(self::SvdfOptionsRef<'a>),
            RnnOptions(self::RnnOptionsRef<'a>),
            FullyConnectedOptions(self::FullyConnectedOptionsRef<'a>),
            SoftmaxOptions(self::SoftmaxOptionsRef<'a>),
            ConcatenationOptions(self::ConcatenationOptionsRef<'a>),
            AddOptions(self::AddOptionsRef<'a>),
            L2NormOptions(self::L2NormOptionsRef<'a>),
            LocalResponseNormalizationOptions(self::LocalResponseNormalizationOptionsRef<'a>),
            LstmOptions(self::LstmOptionsRef<'a>),
            ResizeBilinearOptions(self::ResizeBilinearOptionsRef<'a>),
            CallOptions(self::CallOptionsRef<'a>),
            ReshapeOptions(self::ReshapeOptionsRef<'a>),
        }

        impl<'a> ::core::convert::TryFrom<BuiltinOptionsRef<'a>> for BuiltinOptions {
            type Error = ::planus::Error;

            fn try_from(value: BuiltinOptionsRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(match value {
                    BuiltinOptionsRef::Conv2DOptions(value) => Self::Conv2DOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::DepthwiseConv2DOptions(value) => Self::DepthwiseConv2DOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::ConcatEmbeddingsOptions(value) => Self::ConcatEmbeddingsOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::LshProjectionOptions(value) => Self::LshProjectionOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::Pool2DOptions(value) => Self::Pool2DOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::SvdfOptions(value) => Self::SvdfOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::RnnOptions(value) => Self::RnnOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::FullyConnectedOptions(value) => Self::FullyConnectedOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::SoftmaxOptions(value) => Self::SoftmaxOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::ConcatenationOptions(value) => Self::ConcatenationOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::AddOptions(value) => Self::AddOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::L2NormOptions(value) => Self::L2NormOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::LocalResponseNormalizationOptions(value) => {
                        Self::LocalResponseNormalizationOptions(::planus::alloc::boxed::Box::new(
                            ::core::convert::TryFrom::try_from(value)?,
                        ))
                    }

                    BuiltinOptionsRef::LstmOptions(value) => Self::LstmOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::ResizeBilinearOptions(value) => Self::ResizeBilinearOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::CallOptions(value) => Self::CallOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),

                    BuiltinOptionsRef::ReshapeOptions(value) => Self::ReshapeOptions(
                        ::planus::alloc::boxed::Box::new(::core::convert::TryFrom::try_from(value)?),
                    ),
                })
            }
        }

        impl<'a> ::planus::TableReadUnion<'a> for BuiltinOptionsRef<'a> {
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                tag: u8,
                field_offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                match tag {
                    1 => ::core::result::Result::Ok(Self::Conv2DOptions(::planus::TableRead::from_buffer(
                        buffer,
                        field_offset,
                    )?)),
                    2 => ::core::result::Result::Ok(Self::DepthwiseConv2DOptions(
                        ::planus::TableRead::from_buffer(buffer, field_offset)?,
                    )),
                    3 => ::core::result::Result::Ok(Self::ConcatEmbeddingsOptions(
                        ::planus::TableRead::from_buffer(buffer, field_offset)?,
                    )),
                    4 => ::core::result::Result::Ok(Self::LshProjectionOptions(
                        ::planus::TableRead::from_buffer(buffer, field_offset)?,
                    )),
                    5 => ::core::result::Result::Ok(Self::Pool2DOptions(::planus::TableRead::from_buffer(
                        buffer,
                        field_offset,
                    )?)),
                    6 => ::core::result::Result::Ok(Self::SvdfOptions(::planus::TableRead::from_buffer(
                        buffer,
                        field_offset,
                    )?)),
                    7 => ::core::result::Result::Ok(Self::RnnOptions(::planus::TableRead::from_buffer(
                        buffer,
                        field_offset,
                    )?)),
                    8 => ::core::result::Result::Ok(Self::FullyConnectedOptions(
                        ::planus::TableRead::from_buffer(buffer, field_offset)?,
                    )),
                    9 => ::core::result::Result::Ok(Self::SoftmaxOptions(::planus::TableRead::from_buffer(
                        buffer,
                        field_offset,
                    )?)),
                    10 => ::core::result::Result::Ok(Self::ConcatenationOptions(
                        ::planus::TableRead::from_buffer(buffer, field_offset)?,
                    )),
                    11 => ::core::result::Result::Ok(Self::AddOptions(::planus::TableRead::from_buffer(
                        buffer,
                        field_offset,
                    )?)),
                    12 => ::core::result::Result::Ok(Self::L2NormOptions(::planus::TableRead::from_buffer(
                        buffer,
                        field_offset,
                    )?)),
                    13 => ::core::result::Result::Ok(Self::LocalResponseNormalizationOptions(
                        ::planus::TableRead::from_buffer(buffer, field_offset)?,
                    )),
                    14 => ::core::result::Result::Ok(Self::LstmOptions(::planus::TableRead::from_buffer(
                        buffer,
                        field_offset,
                    )?)),
                    15 => ::core::result::Result::Ok(Self::ResizeBilinearOptions(
                        ::planus::TableRead::from_buffer(buffer, field_offset)?,
                    )),
                    16 => ::core::result::Result::Ok(Self::CallOptions(::planus::TableRead::from_buffer(
                        buffer,
                        field_offset,
                    )?)),
                    17 => ::core::result::Result::Ok(Self::ReshapeOptions(::planus::TableRead::from_buffer(
                        buffer,
                        field_offset,
                    )?)),
                    _ => ::core::result::Result::Err(::planus::errors::ErrorKind::UnknownUnionTag { tag }),
                }
            }
        }

        impl<'a> ::planus::VectorReadUnion<'a> for BuiltinOptionsRef<'a> {
            const VECTOR_NAME: &'static str = "[BuiltinOptionsRef]";
        }

        /// The table `OperatorCode` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `OperatorCode` in the file `src/import/tflite/schema.fbs:68`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct OperatorCode {
            /// The field `deprecated_builtin_code` in the table `OperatorCode`
            pub deprecated_builtin_code: i8,
            /// The field `custom_code` in the table `OperatorCode`
            pub custom_code: ::core::option::Option<::planus::alloc::string::String>,
            /// The field `version` in the table `OperatorCode`
            pub version: i32,
            /// The field `builtin_code` in the table `OperatorCode`
            pub builtin_code: i32,
        }

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for OperatorCode {
            fn default() -> Self {
                Self {
                    deprecated_builtin_code: 0,
                    custom_code: ::core::default::Default::default(),
                    version: 1,
                    builtin_code: 0,
                }
            }
        }

        impl OperatorCode {
            /// Creates a [OperatorCodeBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> OperatorCodeBuilder<()> {
                OperatorCodeBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(
                builder: &mut ::planus::Builder,
                field_deprecated_builtin_code: impl ::planus::WriteAsDefault<i8, i8>,
                field_custom_code: impl ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                field_version: impl ::planus::WriteAsDefault<i32, i32>,
                field_builtin_code: impl ::planus::WriteAsDefault<i32, i32>,
            ) -> ::planus::Offset<Self> {
                let prepared_deprecated_builtin_code = field_deprecated_builtin_code.prepare(builder, &0);
                let prepared_custom_code = field_custom_code.prepare(builder);
                let prepared_version = field_version.prepare(builder, &1);
                let prepared_builtin_code = field_builtin_code.prepare(builder, &0);

                let mut table_writer: ::planus::table_writer::TableWriter<12> =
                    ::core::default::Default::default();
                if prepared_custom_code.is_some() {
                    table_writer.write_entry::<::planus::Offset<str>>(1);
                }
                if prepared_version.is_some() {
                    table_writer.write_entry::<i32>(2);
                }
                if prepared_builtin_code.is_some() {
                    table_writer.write_entry::<i32>(3);
                }
                if prepared_deprecated_builtin_code.is_some() {
                    table_writer.write_entry::<i8>(0);
                }

                unsafe {
                    table_writer.finish(builder, |object_writer| {
                        if let ::core::option::Option::Some(prepared_custom_code) = prepared_custom_code {
                            object_writer.write::<_, _, 4>(&prepared_custom_code);
                        }
                        if let ::core::option::Option::Some(prepared_version) = prepared_version {
                            object_writer.write::<_, _, 4>(&prepared_version);
                        }
                        if let ::core::option::Option::Some(prepared_builtin_code) = prepared_builtin_code {
                            object_writer.write::<_, _, 4>(&prepared_builtin_code);
                        }
                        if let ::core::option::Option::Some(prepared_deprecated_builtin_code) =
                            prepared_deprecated_builtin_code
                        {
                            object_writer.write::<_, _, 1>(&prepared_deprecated_builtin_code);
                        }
                    });
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<OperatorCode>> for OperatorCode {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<OperatorCode> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<OperatorCode>> for OperatorCode {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<OperatorCode>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<OperatorCode> for OperatorCode {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<OperatorCode> {
                OperatorCode::create(
                    builder,
                    self.deprecated_builtin_code,
                    &self.custom_code,
                    self.version,
                    self.builtin_code,
                )
            }
        }

        /// Builder for serializing an instance of the [OperatorCode] type.
        ///
        /// Can be created using the [OperatorCode::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct OperatorCodeBuilder<State>(State);

        impl OperatorCodeBuilder<()> {
            /// Setter for the [`deprecated_builtin_code` field](OperatorCode#structfield.deprecated_builtin_code).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn deprecated_builtin_code<T0>(self, value: T0) -> OperatorCodeBuilder<(T0,)>
            where
                T0: ::planus::WriteAsDefault<i8, i8>,
            {
                OperatorCodeBuilder((value,))
            }

            /// Sets the [`deprecated_builtin_code` field](OperatorCode#structfield.deprecated_builtin_code) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn deprecated_builtin_code_as_default(
                self,
            ) -> OperatorCodeBuilder<(::planus::DefaultValue,)> {
                self.deprecated_builtin_code(::planus::DefaultValue)
            }
        }

        impl<T0> OperatorCodeBuilder<(T0,)> {
            /// Setter for the [`custom_code` field](OperatorCode#structfield.custom_code).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn custom_code<T1>(self, value: T1) -> OperatorCodeBuilder<(T0, T1)>
            where
                T1: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
            {
                let (v0,) = self.0;
                OperatorCodeBuilder((v0, value))
            }

            /// Sets the [`custom_code` field](OperatorCode#structfield.custom_code) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn custom_code_as_null(self) -> OperatorCodeBuilder<(T0, ())> {
                self.custom_code(())
            }
        }

        impl<T0, T1> OperatorCodeBuilder<(T0, T1)> {
            /// Setter for the [`version` field](OperatorCode#structfield.version).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn version<T2>(self, value: T2) -> OperatorCodeBuilder<(T0, T1, T2)>
            where
                T2: ::planus::WriteAsDefault<i32, i32>,
            {
                let (v0, v1) = self.0;
                OperatorCodeBuilder((v0, v1, value))
            }

            /// Sets the [`version` field](OperatorCode#structfield.version) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn version_as_default(self) -> OperatorCodeBuilder<(T0, T1, ::planus::DefaultValue)> {
                self.version(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2> OperatorCodeBuilder<(T0, T1, T2)> {
            /// Setter for the [`builtin_code` field](OperatorCode#structfield.builtin_code).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn builtin_code<T3>(self, value: T3) -> OperatorCodeBuilder<(T0, T1, T2, T3)>
            where
                T3: ::planus::WriteAsDefault<i32, i32>,
            {
                let (v0, v1, v2) = self.0;
                OperatorCodeBuilder((v0, v1, v2, value))
            }

            /// Sets the [`builtin_code` field](OperatorCode#structfield.builtin_code) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn builtin_code_as_default(
                self,
            ) -> OperatorCodeBuilder<(T0, T1, T2, ::planus::DefaultValue)> {
                self.builtin_code(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2, T3> OperatorCodeBuilder<(T0, T1, T2, T3)> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [OperatorCode].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<OperatorCode>
            where
                Self: ::planus::WriteAsOffset<OperatorCode>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<i8, i8>,
                T1: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                T2: ::planus::WriteAsDefault<i32, i32>,
                T3: ::planus::WriteAsDefault<i32, i32>,
            > ::planus::WriteAs<::planus::Offset<OperatorCode>> for OperatorCodeBuilder<(T0, T1, T2, T3)>
        {
            type Prepared = ::planus::Offset<OperatorCode>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<OperatorCode> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<i8, i8>,
                T1: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                T2: ::planus::WriteAsDefault<i32, i32>,
                T3: ::planus::WriteAsDefault<i32, i32>,
            > ::planus::WriteAsOptional<::planus::Offset<OperatorCode>>
            for OperatorCodeBuilder<(T0, T1, T2, T3)>
        {
            type Prepared = ::planus::Offset<OperatorCode>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<OperatorCode>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<i8, i8>,
                T1: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                T2: ::planus::WriteAsDefault<i32, i32>,
                T3: ::planus::WriteAsDefault<i32, i32>,
            > ::planus::WriteAsOffset<OperatorCode> for OperatorCodeBuilder<(T0, T1, T2, T3)>
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<OperatorCode> {
                let (v0, v1, v2, v3) = &self.0;
                OperatorCode::create(builder, v0, v1, v2, v3)
            }
        }

        /// Reference to a deserialized [OperatorCode].
        #[derive(Copy, Clone)]
        pub struct OperatorCodeRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> OperatorCodeRef<'a> {
            /// Getter for the [`deprecated_builtin_code` field](OperatorCode#structfield.deprecated_builtin_code).
            #[inline]
            pub fn deprecated_builtin_code(&self) -> ::planus::Result<i8> {
                ::core::result::Result::Ok(
                    self.0.access(0, "OperatorCode", "deprecated_builtin_code")?.unwrap_or(0),
                )
            }

            /// Getter for the [`custom_code` field](OperatorCode#structfield.custom_code).
            #[inline]
            pub fn custom_code(
                &self,
            ) -> ::planus::Result<::core::option::Option<&'a ::core::primitive::str>> {
                self.0.access(1, "OperatorCode", "custom_code")
            }

            /// Getter for the [`version` field](OperatorCode#structfield.version).
            #[inline]
            pub fn version(&self) -> ::planus::Result<i32> {
                ::core::result::Result::Ok(self.0.access(2, "OperatorCode", "version")?.unwrap_or(1))
            }

            /// Getter for the [`builtin_code` field](OperatorCode#structfield.builtin_code).
            #[inline]
            pub fn builtin_code(&self) -> ::planus::Result<i32> {
                ::core::result::Result::Ok(self.0.access(3, "OperatorCode", "builtin_code")?.unwrap_or(0))
            }
        }

        impl<'a> ::core::fmt::Debug for OperatorCodeRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("OperatorCodeRef");
                f.field("deprecated_builtin_code", &self.deprecated_builtin_code());
                if let ::core::option::Option::Some(field_custom_code) = self.custom_code().transpose() {
                    f.field("custom_code", &field_custom_code);
                }
                f.field("version", &self.version());
                f.field("builtin_code", &self.builtin_code());
                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<OperatorCodeRef<'a>> for OperatorCode {
            type Error = ::planus::Error;

            #[allow(unreachable_code)]
            fn try_from(value: OperatorCodeRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {
                    deprecated_builtin_code: ::core::convert::TryInto::try_into(
                        value.deprecated_builtin_code()?,
                    )?,
                    custom_code: value.custom_code()?.map(::core::convert::Into::into),
                    version: ::core::convert::TryInto::try_into(value.version()?)?,
                    builtin_code: ::core::convert::TryInto::try_into(value.builtin_code()?)?,
                })
            }
        }

        impl<'a> ::planus::TableRead<'a> for OperatorCodeRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for OperatorCodeRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[OperatorCodeRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<OperatorCode>> for OperatorCode {
            type Value = ::planus::Offset<OperatorCode>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<OperatorCode>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for OperatorCodeRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[OperatorCodeRef]", "read_as_root", 0))
            }
        }

        /// The table `Operator` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `Operator` in the file `src/import/tflite/schema.fbs:75`
        #[derive(Clone, Debug, PartialEq, PartialOrd)]
        pub struct Operator {
            /// The field `opcode_index` in the table `Operator`
            pub opcode_index: u32,
            /// The field `inputs` in the table `Operator`
            pub inputs: ::core::option::Option<::planus::alloc::vec::Vec<i32>>,
            /// The field `outputs` in the table `Operator`
            pub outputs: ::core::option::Option<::planus::alloc::vec::Vec<i32>>,
            /// The field `builtin_options` in the table `Operator`
            pub builtin_options: ::core::option::Option<self::BuiltinOptions>,
            /// The field `custom_options` in the table `Operator`
            pub custom_options: ::core::option::Option<::planus::alloc::vec::Vec<u8>>,
            /// The field `mutating_variable_inputs` in the table `Operator`
            pub mutating_variable_inputs: ::core::option::Option<::planus::alloc::vec::Vec<bool>>,
            /// The field `intermediates` in the table `Operator`
            pub intermediates: ::core::option::Option<::planus::alloc::vec::Vec<i32>>,
            /// The field `large_custom_options_offset` in the table `Operator`
            pub large_custom_options_offset: u64,
            /// The field `large_custom_options_size` in the table `Operator`
            pub large_custom_options_size: u64,
        }

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for Operator {
            fn default() -> Self {
                Self {
                    opcode_index: 0,
                    inputs: ::core::default::Default::default(),
                    outputs: ::core::default::Default::default(),
                    builtin_options: ::core::default::Default::default(),
                    custom_options: ::core::default::Default::default(),
                    mutating_variable_inputs: ::core::default::Default::default(),
                    intermediates: ::core::default::Default::default(),
                    large_custom_options_offset: 0,
                    large_custom_options_size: 0,
                }
            }
        }

        impl Operator {
            /// Creates a [OperatorBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> OperatorBuilder<()> {
                OperatorBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(
                builder: &mut ::planus::Builder,
                field_opcode_index: impl ::planus::WriteAsDefault<u32, u32>,
                field_inputs: impl ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                field_outputs: impl ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                field_builtin_options: impl ::planus::WriteAsOptionalUnion<self::BuiltinOptions>,
                field_custom_options: impl ::planus::WriteAsOptional<::planus::Offset<[u8]>>,
                field_mutating_variable_inputs: impl ::planus::WriteAsOptional<::planus::Offset<[bool]>>,
                field_intermediates: impl ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                field_large_custom_options_offset: impl ::planus::WriteAsDefault<u64, u64>,
                field_large_custom_options_size: impl ::planus::WriteAsDefault<u64, u64>,
            ) -> ::planus::Offset<Self> {
                let prepared_opcode_index = field_opcode_index.prepare(builder, &0);
                let prepared_inputs = field_inputs.prepare(builder);
                let prepared_outputs = field_outputs.prepare(builder);
                let prepared_builtin_options = field_builtin_options.prepare(builder);
                let prepared_custom_options = field_custom_options.prepare(builder);
                let prepared_mutating_variable_inputs = field_mutating_variable_inputs.prepare(builder);
                let prepared_intermediates = field_intermediates.prepare(builder);
                let prepared_large_custom_options_offset =
                    field_large_custom_options_offset.prepare(builder, &0);
                let prepared_large_custom_options_size = field_large_custom_options_size.prepare(builder, &0);

                let mut table_writer: ::planus::table_writer::TableWriter<30> =
                    ::core::default::Default::default();
                if prepared_large_custom_options_offset.is_some() {
                    table_writer.write_entry::<u64>(9);
                }
                if prepared_large_custom_options_size.is_some() {
                    table_writer.write_entry::<u64>(10);
                }
                if prepared_opcode_index.is_some() {
                    table_writer.write_entry::<u32>(0);
                }
                if prepared_inputs.is_some() {
                    table_writer.write_entry::<::planus::Offset<[i32]>>(1);
                }
                if prepared_outputs.is_some() {
                    table_writer.write_entry::<::planus::Offset<[i32]>>(2);
                }
                if prepared_builtin_options.is_some() {
                    table_writer.write_entry::<::planus::Offset<self::BuiltinOptions>>(4);
                }
                if prepared_custom_options.is_some() {
                    table_writer.write_entry::<::planus::Offset<[u8]>>(5);
                }
                if prepared_mutating_variable_inputs.is_some() {
                    table_writer.write_entry::<::planus::Offset<[bool]>>(7);
                }
                if prepared_intermediates.is_some() {
                    table_writer.write_entry::<::planus::Offset<[i32]>>(8);
                }
                if prepared_builtin_options.is_some() {
                    table_writer.write_entry::<u8>(3);
                }

                unsafe {
                    table_writer.finish(builder, |object_writer| {
                        if let ::core::option::Option::Some(prepared_large_custom_options_offset) =
                            prepared_large_custom_options_offset
                        {
                            object_writer.write::<_, _, 8>(&prepared_large_custom_options_offset);
                        }
                        if let ::core::option::Option::Some(prepared_large_custom_options_size) =
                            prepared_large_custom_options_size
                        {
                            object_writer.write::<_, _, 8>(&prepared_large_custom_options_size);
                        }
                        if let ::core::option::Option::Some(prepared_opcode_index) = prepared_opcode_index {
                            object_writer.write::<_, _, 4>(&prepared_opcode_index);
                        }
                        if let ::core::option::Option::Some(prepared_inputs) = prepared_inputs {
                            object_writer.write::<_, _, 4>(&prepared_inputs);
                        }
                        if let ::core::option::Option::Some(prepared_outputs) = prepared_outputs {
                            object_writer.write::<_, _, 4>(&prepared_outputs);
                        }
                        if let ::core::option::Option::Some(prepared_builtin_options) =
                            prepared_builtin_options
                        {
                            object_writer.write::<_, _, 4>(&prepared_builtin_options.offset());
                        }
                        if let ::core::option::Option::Some(prepared_custom_options) = prepared_custom_options
                        {
                            object_writer.write::<_, _, 4>(&prepared_custom_options);
                        }
                        if let ::core::option::Option::Some(prepared_mutating_variable_inputs) =
                            prepared_mutating_variable_inputs
                        {
                            object_writer.write::<_, _, 4>(&prepared_mutating_variable_inputs);
                        }
                        if let ::core::option::Option::Some(prepared_intermediates) = prepared_intermediates {
                            object_writer.write::<_, _, 4>(&prepared_intermediates);
                        }
                        if let ::core::option::Option::Some(prepared_builtin_options) =
                            prepared_builtin_options
                        {
                            object_writer.write::<_, _, 1>(&prepared_builtin_options.tag());
                        }
                    });
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<Operator>> for Operator {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Operator> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<Operator>> for Operator {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<Operator>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<Operator> for Operator {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Operator> {
                Operator::create(
                    builder,
                    self.opcode_index,
                    &self.inputs,
                    &self.outputs,
                    &self.builtin_options,
                    &self.custom_options,
                    &self.mutating_variable_inputs,
                    &self.intermediates,
                    self.large_custom_options_offset,
                    self.large_custom_options_size,
                )
            }
        }

        /// Builder for serializing an instance of the [Operator] type.
        ///
        /// Can be created using the [Operator::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct OperatorBuilder<State>(State);

        impl OperatorBuilder<()> {
            /// Setter for the [`opcode_index` field](Operator#structfield.opcode_index).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn opcode_index<T0>(self, value: T0) -> OperatorBuilder<(T0,)>
            where
                T0: ::planus::WriteAsDefault<u32, u32>,
            {
                OperatorBuilder((value,))
            }

            /// Sets the [`opcode_index` field](Operator#structfield.opcode_index) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn opcode_index_as_default(self) -> OperatorBuilder<(::planus::DefaultValue,)> {
                self.opcode_index(::planus::DefaultValue)
            }
        }

        impl<T0> OperatorBuilder<(T0,)> {
            /// Setter for the [`inputs` field](Operator#structfield.inputs).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn inputs<T1>(self, value: T1) -> OperatorBuilder<(T0, T1)>
            where
                T1: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            {
                let (v0,) = self.0;
                OperatorBuilder((v0, value))
            }

            /// Sets the [`inputs` field](Operator#structfield.inputs) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn inputs_as_null(self) -> OperatorBuilder<(T0, ())> {
                self.inputs(())
            }
        }

        impl<T0, T1> OperatorBuilder<(T0, T1)> {
            /// Setter for the [`outputs` field](Operator#structfield.outputs).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn outputs<T2>(self, value: T2) -> OperatorBuilder<(T0, T1, T2)>
            where
                T2: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            {
                let (v0, v1) = self.0;
                OperatorBuilder((v0, v1, value))
            }

            /// Sets the [`outputs` field](Operator#structfield.outputs) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn outputs_as_null(self) -> OperatorBuilder<(T0, T1, ())> {
                self.outputs(())
            }
        }

        impl<T0, T1, T2> OperatorBuilder<(T0, T1, T2)> {
            /// Setter for the [`builtin_options` field](Operator#structfield.builtin_options).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn builtin_options<T3>(self, value: T3) -> OperatorBuilder<(T0, T1, T2, T3)>
            where
                T3: ::planus::WriteAsOptionalUnion<self::BuiltinOptions>,
            {
                let (v0, v1, v2) = self.0;
                OperatorBuilder((v0, v1, v2, value))
            }

            /// Sets the [`builtin_options` field](Operator#structfield.builtin_options) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn builtin_options_as_null(self) -> OperatorBuilder<(T0, T1, T2, ())> {
                self.builtin_options(())
            }
        }

        impl<T0, T1, T2, T3> OperatorBuilder<(T0, T1, T2, T3)> {
            /// Setter for the [`custom_options` field](Operator#structfield.custom_options).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn custom_options<T4>(self, value: T4) -> OperatorBuilder<(T0, T1, T2, T3, T4)>
            where
                T4: ::planus::WriteAsOptional<::planus::Offset<[u8]>>,
            {
                let (v0, v1, v2, v3) = self.0;
                OperatorBuilder((v0, v1, v2, v3, value))
            }

            /// Sets the [`custom_options` field](Operator#structfield.custom_options) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn custom_options_as_null(self) -> OperatorBuilder<(T0, T1, T2, T3, ())> {
                self.custom_options(())
            }
        }

        impl<T0, T1, T2, T3, T4> OperatorBuilder<(T0, T1, T2, T3, T4)> {
            /// Setter for the [`mutating_variable_inputs` field](Operator#structfield.mutating_variable_inputs).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn mutating_variable_inputs<T5>(self, value: T5) -> OperatorBuilder<(T0, T1, T2, T3, T4, T5)>
            where
                T5: ::planus::WriteAsOptional<::planus::Offset<[bool]>>,
            {
                let (v0, v1, v2, v3, v4) = self.0;
                OperatorBuilder((v0, v1, v2, v3, v4, value))
            }

            /// Sets the [`mutating_variable_inputs` field](Operator#structfield.mutating_variable_inputs) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn mutating_variable_inputs_as_null(self) -> OperatorBuilder<(T0, T1, T2, T3, T4, ())> {
                self.mutating_variable_inputs(())
            }
        }

        impl<T0, T1, T2, T3, T4, T5> OperatorBuilder<(T0, T1, T2, T3, T4, T5)> {
            /// Setter for the [`intermediates` field](Operator#structfield.intermediates).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn intermediates<T6>(self, value: T6) -> OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6)>
            where
                T6: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            {
                let (v0, v1, v2, v3, v4, v5) = self.0;
                OperatorBuilder((v0, v1, v2, v3, v4, v5, value))
            }

            /// Sets the [`intermediates` field](Operator#structfield.intermediates) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn intermediates_as_null(self) -> OperatorBuilder<(T0, T1, T2, T3, T4, T5, ())> {
                self.intermediates(())
            }
        }

        impl<T0, T1, T2, T3, T4, T5, T6> OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6)> {
            /// Setter for the [`large_custom_options_offset` field](Operator#structfield.large_custom_options_offset).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn large_custom_options_offset<T7>(
                self,
                value: T7,
            ) -> OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6, T7)>
            where
                T7: ::planus::WriteAsDefault<u64, u64>,
            {
                let (v0, v1, v2, v3, v4, v5, v6) = self.0;
                OperatorBuilder((v0, v1, v2, v3, v4, v5, v6, value))
            }

            /// Sets the [`large_custom_options_offset` field](Operator#structfield.large_custom_options_offset) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn large_custom_options_offset_as_default(
                self,
            ) -> OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6, ::planus::DefaultValue)> {
                self.large_custom_options_offset(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2, T3, T4, T5, T6, T7> OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6, T7)> {
            /// Setter for the [`large_custom_options_size` field](Operator#structfield.large_custom_options_size).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn large_custom_options_size<T8>(
                self,
                value: T8,
            ) -> OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6, T7, T8)>
            where
                T8: ::planus::WriteAsDefault<u64, u64>,
            {
                let (v0, v1, v2, v3, v4, v5, v6, v7) = self.0;
                OperatorBuilder((v0, v1, v2, v3, v4, v5, v6, v7, value))
            }

            /// Sets the [`large_custom_options_size` field](Operator#structfield.large_custom_options_size) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn large_custom_options_size_as_default(
                self,
            ) -> OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6, T7, ::planus::DefaultValue)> {
                self.large_custom_options_size(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2, T3, T4, T5, T6, T7, T8> OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6, T7, T8)> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [Operator].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<Operator>
            where
                Self: ::planus::WriteAsOffset<Operator>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<u32, u32>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T3: ::planus::WriteAsOptionalUnion<self::BuiltinOptions>,
                T4: ::planus::WriteAsOptional<::planus::Offset<[u8]>>,
                T5: ::planus::WriteAsOptional<::planus::Offset<[bool]>>,
                T6: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T7: ::planus::WriteAsDefault<u64, u64>,
                T8: ::planus::WriteAsDefault<u64, u64>,
            > ::planus::WriteAs<::planus::Offset<Operator>>
            for OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6, T7, T8)>
        {
            type Prepared = ::planus::Offset<Operator>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Operator> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<u32, u32>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T3: ::planus::WriteAsOptionalUnion<self::BuiltinOptions>,
                T4: ::planus::WriteAsOptional<::planus::Offset<[u8]>>,
                T5: ::planus::WriteAsOptional<::planus::Offset<[bool]>>,
                T6: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T7: ::planus::WriteAsDefault<u64, u64>,
                T8: ::planus::WriteAsDefault<u64, u64>,
            > ::planus::WriteAsOptional<::planus::Offset<Operator>>
            for OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6, T7, T8)>
        {
            type Prepared = ::planus::Offset<Operator>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<Operator>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<u32, u32>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T3: ::planus::WriteAsOptionalUnion<self::BuiltinOptions>,
                T4: ::planus::WriteAsOptional<::planus::Offset<[u8]>>,
                T5: ::planus::WriteAsOptional<::planus::Offset<[bool]>>,
                T6: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T7: ::planus::WriteAsDefault<u64, u64>,
                T8: ::planus::WriteAsDefault<u64, u64>,
            > ::planus::WriteAsOffset<Operator> for OperatorBuilder<(T0, T1, T2, T3, T4, T5, T6, T7, T8)>
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Operator> {
                let (v0, v1, v2, v3, v4, v5, v6, v7, v8) = &self.0;
                Operator::create(builder, v0, v1, v2, v3, v4, v5, v6, v7, v8)
            }
        }

        /// Reference to a deserialized [Operator].
        #[derive(Copy, Clone)]
        pub struct OperatorRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> OperatorRef<'a> {
            /// Getter for the [`opcode_index` field](Operator#structfield.opcode_index).
            #[inline]
            pub fn opcode_index(&self) -> ::planus::Result<u32> {
                ::core::result::Result::Ok(self.0.access(0, "Operator", "opcode_index")?.unwrap_or(0))
            }

            /// Getter for the [`inputs` field](Operator#structfield.inputs).
            #[inline]
            pub fn inputs(&self) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, i32>>> {
                self.0.access(1, "Operator", "inputs")
            }

            /// Getter for the [`outputs` field](Operator#structfield.outputs).
            #[inline]
            pub fn outputs(&self) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, i32>>> {
                self.0.access(2, "Operator", "outputs")
            }

            /// Getter for the [`builtin_options` field](Operator#structfield.builtin_options).
            #[inline]
            pub fn builtin_options(
                &self,
            ) -> ::planus::Result<::core::option::Option<self::BuiltinOptionsRef<'a>>> {
                self.0.access_union(3, "Operator", "builtin_options")
            }

            /// Getter for the [`custom_options` field](Operator#structfield.custom_options).
            #[inline]
            pub fn custom_options(&self) -> ::planus::Result<::core::option::Option<&'a [u8]>> {
                self.0.access(5, "Operator", "custom_options")
            }

            /// Getter for the [`mutating_variable_inputs` field](Operator#structfield.mutating_variable_inputs).
            #[inline]
            pub fn mutating_variable_inputs(
                &self,
            ) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, bool>>> {
                self.0.access(7, "Operator", "mutating_variable_inputs")
            }

            /// Getter for the [`intermediates` field](Operator#structfield.intermediates).
            #[inline]
            pub fn intermediates(
                &self,
            ) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, i32>>> {
                self.0.access(8, "Operator", "intermediates")
            }

            /// Getter for the [`large_custom_options_offset` field](Operator#structfield.large_custom_options_offset).
            #[inline]
            pub fn large_custom_options_offset(&self) -> ::planus::Result<u64> {
                ::core::result::Result::Ok(
                    self.0.access(9, "Operator", "large_custom_options_offset")?.unwrap_or(0),
                )
            }

            /// Getter for the [`large_custom_options_size` field](Operator#structfield.large_custom_options_size).
            #[inline]
            pub fn large_custom_options_size(&self) -> ::planus::Result<u64> {
                ::core::result::Result::Ok(
                    self.0.access(10, "Operator", "large_custom_options_size")?.unwrap_or(0),
                )
            }
        }

        impl<'a> ::core::fmt::Debug for OperatorRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("OperatorRef");
                f.field("opcode_index", &self.opcode_index());
                if let ::core::option::Option::Some(field_inputs) = self.inputs().transpose() {
                    f.field("inputs", &field_inputs);
                }
                if let ::core::option::Option::Some(field_outputs) = self.outputs().transpose() {
                    f.field("outputs", &field_outputs);
                }
                if let ::core::option::Option::Some(field_builtin_options) =
                    self.builtin_options().transpose()
                {
                    f.field("builtin_options", &field_builtin_options);
                }
                if let ::core::option::Option::Some(field_custom_options) = self.custom_options().transpose()
                {
                    f.field("custom_options", &field_custom_options);
                }
                if let ::core::option::Option::Some(field_mutating_variable_inputs) =
                    self.mutating_variable_inputs().transpose()
                {
                    f.field("mutating_variable_inputs", &field_mutating_variable_inputs);
                }
                if let ::core::option::Option::Some(field_intermediates) = self.intermediates().transpose() {
                    f.field("intermediates", &field_intermediates);
                }
                f.field("large_custom_options_offset", &self.large_custom_options_offset());
                f.field("large_custom_options_size", &self.large_custom_options_size());
                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<OperatorRef<'a>> for Operator {
            type Error = ::planus::Error;

            #[allow(unreachable_code)]
            fn try_from(value: OperatorRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {
                    opcode_index: ::core::convert::TryInto::try_into(value.opcode_index()?)?,
                    inputs: if let ::core::option::Option::Some(inputs) = value.inputs()? {
                        ::core::option::Option::Some(inputs.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    outputs: if let ::core::option::Option::Some(outputs) = value.outputs()? {
                        ::core::option::Option::Some(outputs.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    builtin_options: if let ::core::option::Option::Some(builtin_options) =
                        value.builtin_options()?
                    {
                        ::core::option::Option::Some(::core::convert::TryInto::try_into(builtin_options)?)
                    } else {
                        ::core::option::Option::None
                    },
                    custom_options: value.custom_options()?.map(|v| v.to_vec()),
                    mutating_variable_inputs: if let ::core::option::Option::Some(mutating_variable_inputs) =
                        value.mutating_variable_inputs()?
                    {
                        ::core::option::Option::Some(mutating_variable_inputs.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    intermediates: if let ::core::option::Option::Some(intermediates) =
                        value.intermediates()?
                    {
                        ::core::option::Option::Some(intermediates.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    large_custom_options_offset: ::core::convert::TryInto::try_into(
                        value.large_custom_options_offset()?,
                    )?,
                    large_custom_options_size: ::core::convert::TryInto::try_into(
                        value.large_custom_options_size()?,
                    )?,
                })
            }
        }

        impl<'a> ::planus::TableRead<'a> for OperatorRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for OperatorRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[OperatorRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<Operator>> for Operator {
            type Value = ::planus::Offset<Operator>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<Operator>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for OperatorRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[OperatorRef]", "read_as_root", 0))
            }
        }

        /// The table `SubGraph` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `SubGraph` in the file `src/import/tflite/schema.fbs:90`
        #[derive(Clone, Debug, PartialEq, PartialOrd)]
        pub struct SubGraph {
            /// The field `tensors` in the table `SubGraph`
            pub tensors: ::core::option::Option<::planus::alloc::vec::Vec<self::TensorDef>>,
            /// The field `inputs` in the table `SubGraph`
            pub inputs: ::core::option::Option<::planus::alloc::vec::Vec<i32>>,
            /// The field `outputs` in the table `SubGraph`
            pub outputs: ::core::option::Option<::planus::alloc::vec::Vec<i32>>,
            /// The field `operators` in the table `SubGraph`
            pub operators: ::core::option::Option<::planus::alloc::vec::Vec<self::Operator>>,
            /// The field `name` in the table `SubGraph`
            pub name: ::core::option::Option<::planus::alloc::string::String>,
        }

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for SubGraph {
            fn default() -> Self {
                Self {
                    tensors: ::core::default::Default::default(),
                    inputs: ::core::default::Default::default(),
                    outputs: ::core::default::Default::default(),
                    operators: ::core::default::Default::default(),
                    name: ::core::default::Default::default(),
                }
            }
        }

        impl SubGraph {
            /// Creates a [SubGraphBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> SubGraphBuilder<()> {
                SubGraphBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(
                builder: &mut ::planus::Builder,
                field_tensors: impl ::planus::WriteAsOptional<
                    ::planus::Offset<[::planus::Offset<self::TensorDef>]>,
                >,
                field_inputs: impl ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                field_outputs: impl ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                field_operators: impl ::planus::WriteAsOptional<
                    ::planus::Offset<[::planus::Offset<self::Operator>]>,
                >,
                field_name: impl ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
            ) -> ::planus::Offset<Self> {
                let prepared_tensors = field_tensors.prepare(builder);
                let prepared_inputs = field_inputs.prepare(builder);
                let prepared_outputs = field_outputs.prepare(builder);
                let prepared_operators = field_operators.prepare(builder);
                let prepared_name = field_name.prepare(builder);

                let mut table_writer: ::planus::table_writer::TableWriter<14> =
                    ::core::default::Default::default();
                if prepared_tensors.is_some() {
                    table_writer.write_entry::<::planus::Offset<[::planus::Offset<self::TensorDef>]>>(0);
                }
                if prepared_inputs.is_some() {
                    table_writer.write_entry::<::planus::Offset<[i32]>>(1);
                }
                if prepared_outputs.is_some() {
                    table_writer.write_entry::<::planus::Offset<[i32]>>(2);
                }
                if prepared_operators.is_some() {
                    table_writer.write_entry::<::planus::Offset<[::planus::Offset<self::Operator>]>>(3);
                }
                if prepared_name.is_some() {
                    table_writer.write_entry::<::planus::Offset<str>>(4);
                }

                unsafe {
                    table_writer.finish(builder, |object_writer| {
                        if let ::core::option::Option::Some(prepared_tensors) = prepared_tensors {
                            object_writer.write::<_, _, 4>(&prepared_tensors);
                        }
                        if let ::core::option::Option::Some(prepared_inputs) = prepared_inputs {
                            object_writer.write::<_, _, 4>(&prepared_inputs);
                        }
                        if let ::core::option::Option::Some(prepared_outputs) = prepared_outputs {
                            object_writer.write::<_, _, 4>(&prepared_outputs);
                        }
                        if let ::core::option::Option::Some(prepared_operators) = prepared_operators {
                            object_writer.write::<_, _, 4>(&prepared_operators);
                        }
                        if let ::core::option::Option::Some(prepared_name) = prepared_name {
                            object_writer.write::<_, _, 4>(&prepared_name);
                        }
                    });
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<SubGraph>> for SubGraph {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SubGraph> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<SubGraph>> for SubGraph {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<SubGraph>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<SubGraph> for SubGraph {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SubGraph> {
                SubGraph::create(
                    builder,
                    &self.tensors,
                    &self.inputs,
                    &self.outputs,
                    &self.operators,
                    &self.name,
                )
            }
        }

        /// Builder for serializing an instance of the [SubGraph] type.
        ///
        /// Can be created using the [SubGraph::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct SubGraphBuilder<State>(State);

        impl SubGraphBuilder<()> {
            /// Setter for the [`tensors` field](SubGraph#structfield.tensors).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn tensors<T0>(self, value: T0) -> SubGraphBuilder<(T0,)>
            where
                T0: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::TensorDef>]>>,
            {
                SubGraphBuilder((value,))
            }

            /// Sets the [`tensors` field](SubGraph#structfield.tensors) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn tensors_as_null(self) -> SubGraphBuilder<((),)> {
                self.tensors(())
            }
        }

        impl<T0> SubGraphBuilder<(T0,)> {
            /// Setter for the [`inputs` field](SubGraph#structfield.inputs).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn inputs<T1>(self, value: T1) -> SubGraphBuilder<(T0, T1)>
            where
                T1: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            {
                let (v0,) = self.0;
                SubGraphBuilder((v0, value))
            }

            /// Sets the [`inputs` field](SubGraph#structfield.inputs) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn inputs_as_null(self) -> SubGraphBuilder<(T0, ())> {
                self.inputs(())
            }
        }

        impl<T0, T1> SubGraphBuilder<(T0, T1)> {
            /// Setter for the [`outputs` field](SubGraph#structfield.outputs).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn outputs<T2>(self, value: T2) -> SubGraphBuilder<(T0, T1, T2)>
            where
                T2: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
            {
                let (v0, v1) = self.0;
                SubGraphBuilder((v0, v1, value))
            }

            /// Sets the [`outputs` field](SubGraph#structfield.outputs) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn outputs_as_null(self) -> SubGraphBuilder<(T0, T1, ())> {
                self.outputs(())
            }
        }

        impl<T0, T1, T2> SubGraphBuilder<(T0, T1, T2)> {
            /// Setter for the [`operators` field](SubGraph#structfield.operators).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn operators<T3>(self, value: T3) -> SubGraphBuilder<(T0, T1, T2, T3)>
            where
                T3: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::Operator>]>>,
            {
                let (v0, v1, v2) = self.0;
                SubGraphBuilder((v0, v1, v2, value))
            }

            /// Sets the [`operators` field](SubGraph#structfield.operators) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn operators_as_null(self) -> SubGraphBuilder<(T0, T1, T2, ())> {
                self.operators(())
            }
        }

        impl<T0, T1, T2, T3> SubGraphBuilder<(T0, T1, T2, T3)> {
            /// Setter for the [`name` field](SubGraph#structfield.name).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn name<T4>(self, value: T4) -> SubGraphBuilder<(T0, T1, T2, T3, T4)>
            where
                T4: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
            {
                let (v0, v1, v2, v3) = self.0;
                SubGraphBuilder((v0, v1, v2, v3, value))
            }

            /// Sets the [`name` field](SubGraph#structfield.name) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn name_as_null(self) -> SubGraphBuilder<(T0, T1, T2, T3, ())> {
                self.name(())
            }
        }

        impl<T0, T1, T2, T3, T4> SubGraphBuilder<(T0, T1, T2, T3, T4)> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [SubGraph].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<SubGraph>
            where
                Self: ::planus::WriteAsOffset<SubGraph>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::TensorDef>]>>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T3: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::Operator>]>>,
                T4: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
            > ::planus::WriteAs<::planus::Offset<SubGraph>> for SubGraphBuilder<(T0, T1, T2, T3, T4)>
        {
            type Prepared = ::planus::Offset<SubGraph>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SubGraph> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::TensorDef>]>>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T3: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::Operator>]>>,
                T4: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
            > ::planus::WriteAsOptional<::planus::Offset<SubGraph>>
            for SubGraphBuilder<(T0, T1, T2, T3, T4)>
        {
            type Prepared = ::planus::Offset<SubGraph>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<SubGraph>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::TensorDef>]>>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[i32]>>,
                T3: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::Operator>]>>,
                T4: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
            > ::planus::WriteAsOffset<SubGraph> for SubGraphBuilder<(T0, T1, T2, T3, T4)>
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<SubGraph> {
                let (v0, v1, v2, v3, v4) = &self.0;
                SubGraph::create(builder, v0, v1, v2, v3, v4)
            }
        }

        /// Reference to a deserialized [SubGraph].
        #[derive(Copy, Clone)]
        pub struct SubGraphRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> SubGraphRef<'a> {
            /// Getter for the [`tensors` field](SubGraph#structfield.tensors).
            #[inline]
            pub fn tensors(
                &self,
            ) -> ::planus::Result<
                ::core::option::Option<::planus::Vector<'a, ::planus::Result<self::TensorDefRef<'a>>>>,
            > {
                self.0.access(0, "SubGraph", "tensors")
            }

            /// Getter for the [`inputs` field](SubGraph#structfield.inputs).
            #[inline]
            pub fn inputs(&self) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, i32>>> {
                self.0.access(1, "SubGraph", "inputs")
            }

            /// Getter for the [`outputs` field](SubGraph#structfield.outputs).
            #[inline]
            pub fn outputs(&self) -> ::planus::Result<::core::option::Option<::planus::Vector<'a, i32>>> {
                self.0.access(2, "SubGraph", "outputs")
            }

            /// Getter for the [`operators` field](SubGraph#structfield.operators).
            #[inline]
            pub fn operators(
                &self,
            ) -> ::planus::Result<
                ::core::option::Option<::planus::Vector<'a, ::planus::Result<self::OperatorRef<'a>>>>,
            > {
                self.0.access(3, "SubGraph", "operators")
            }

            /// Getter for the [`name` field](SubGraph#structfield.name).
            #[inline]
            pub fn name(&self) -> ::planus::Result<::core::option::Option<&'a ::core::primitive::str>> {
                self.0.access(4, "SubGraph", "name")
            }
        }

        impl<'a> ::core::fmt::Debug for SubGraphRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("SubGraphRef");
                if let ::core::option::Option::Some(field_tensors) = self.tensors().transpose() {
                    f.field("tensors", &field_tensors);
                }
                if let ::core::option::Option::Some(field_inputs) = self.inputs().transpose() {
                    f.field("inputs", &field_inputs);
                }
                if let ::core::option::Option::Some(field_outputs) = self.outputs().transpose() {
                    f.field("outputs", &field_outputs);
                }
                if let ::core::option::Option::Some(field_operators) = self.operators().transpose() {
                    f.field("operators", &field_operators);
                }
                if let ::core::option::Option::Some(field_name) = self.name().transpose() {
                    f.field("name", &field_name);
                }
                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<SubGraphRef<'a>> for SubGraph {
            type Error = ::planus::Error;

            #[allow(unreachable_code)]
            fn try_from(value: SubGraphRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {
                    tensors: if let ::core::option::Option::Some(tensors) = value.tensors()? {
                        ::core::option::Option::Some(tensors.to_vec_result()?)
                    } else {
                        ::core::option::Option::None
                    },
                    inputs: if let ::core::option::Option::Some(inputs) = value.inputs()? {
                        ::core::option::Option::Some(inputs.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    outputs: if let ::core::option::Option::Some(outputs) = value.outputs()? {
                        ::core::option::Option::Some(outputs.to_vec()?)
                    } else {
                        ::core::option::Option::None
                    },
                    operators: if let ::core::option::Option::Some(operators) = value.operators()? {
                        ::core::option::Option::Some(operators.to_vec_result()?)
                    } else {
                        ::core::option::Option::None
                    },
                    name: value.name()?.map(::core::convert::Into::into),
                })
            }
        }

        impl<'a> ::planus::TableRead<'a> for SubGraphRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for SubGraphRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[SubGraphRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<SubGraph>> for SubGraph {
            type Value = ::planus::Offset<SubGraph>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<SubGraph>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for SubGraphRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[SubGraphRef]", "read_as_root", 0))
            }
        }

        /// The table `Buffer` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `Buffer` in the file `src/import/tflite/schema.fbs:98`
        #[derive(
            Clone, Debug, PartialEq, PartialOrd, Eq, Ord, Hash,
        )]
        pub struct Buffer {
            /// The field `data` in the table `Buffer`
            pub data: ::core::option::Option<::planus::alloc::vec::Vec<u8>>,
            /// The field `offset` in the table `Buffer`
            pub offset: u64,
            /// The field `size` in the table `Buffer`
            pub size: u64,
        }

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for Buffer {
            fn default() -> Self {
                Self { data: ::core::default::Default::default(), offset: 0, size: 0 }
            }
        }

        impl Buffer {
            /// Creates a [BufferBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> BufferBuilder<()> {
                BufferBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(
                builder: &mut ::planus::Builder,
                field_data: impl ::planus::WriteAsOptional<::planus::Offset<[u8]>>,
                field_offset: impl ::planus::WriteAsDefault<u64, u64>,
                field_size: impl ::planus::WriteAsDefault<u64, u64>,
            ) -> ::planus::Offset<Self> {
                let prepared_data = field_data.prepare(builder);
                let prepared_offset = field_offset.prepare(builder, &0);
                let prepared_size = field_size.prepare(builder, &0);

                let mut table_writer: ::planus::table_writer::TableWriter<10> =
                    ::core::default::Default::default();
                if prepared_offset.is_some() {
                    table_writer.write_entry::<u64>(1);
                }
                if prepared_size.is_some() {
                    table_writer.write_entry::<u64>(2);
                }
                if prepared_data.is_some() {
                    table_writer.write_entry::<::planus::Offset<[u8]>>(0);
                }

                unsafe {
                    table_writer.finish(builder, |object_writer| {
                        if let ::core::option::Option::Some(prepared_offset) = prepared_offset {
                            object_writer.write::<_, _, 8>(&prepared_offset);
                        }
                        if let ::core::option::Option::Some(prepared_size) = prepared_size {
                            object_writer.write::<_, _, 8>(&prepared_size);
                        }
                        if let ::core::option::Option::Some(prepared_data) = prepared_data {
                            object_writer.write::<_, _, 4>(&prepared_data);
                        }
                    });
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<Buffer>> for Buffer {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Buffer> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<Buffer>> for Buffer {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<Buffer>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<Buffer> for Buffer {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Buffer> {
                Buffer::create(builder, &self.data, self.offset, self.size)
            }
        }

        /// Builder for serializing an instance of the [Buffer] type.
        ///
        /// Can be created using the [Buffer::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct BufferBuilder<State>(State);

        impl BufferBuilder<()> {
            /// Setter for the [`data` field](Buffer#structfield.data).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn data<T0>(self, value: T0) -> BufferBuilder<(T0,)>
            where
                T0: ::planus::WriteAsOptional<::planus::Offset<[u8]>>,
            {
                BufferBuilder((value,))
            }

            /// Sets the [`data` field](Buffer#structfield.data) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn data_as_null(self) -> BufferBuilder<((),)> {
                self.data(())
            }
        }

        impl<T0> BufferBuilder<(T0,)> {
            /// Setter for the [`offset` field](Buffer#structfield.offset).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn offset<T1>(self, value: T1) -> BufferBuilder<(T0, T1)>
            where
                T1: ::planus::WriteAsDefault<u64, u64>,
            {
                let (v0,) = self.0;
                BufferBuilder((v0, value))
            }

            /// Sets the [`offset` field](Buffer#structfield.offset) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn offset_as_default(self) -> BufferBuilder<(T0, ::planus::DefaultValue)> {
                self.offset(::planus::DefaultValue)
            }
        }

        impl<T0, T1> BufferBuilder<(T0, T1)> {
            /// Setter for the [`size` field](Buffer#structfield.size).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn size<T2>(self, value: T2) -> BufferBuilder<(T0, T1, T2)>
            where
                T2: ::planus::WriteAsDefault<u64, u64>,
            {
                let (v0, v1) = self.0;
                BufferBuilder((v0, v1, value))
            }

            /// Sets the [`size` field](Buffer#structfield.size) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn size_as_default(self) -> BufferBuilder<(T0, T1, ::planus::DefaultValue)> {
                self.size(::planus::DefaultValue)
            }
        }

        impl<T0, T1, T2> BufferBuilder<(T0, T1, T2)> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [Buffer].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<Buffer>
            where
                Self: ::planus::WriteAsOffset<Buffer>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[u8]>>,
                T1: ::planus::WriteAsDefault<u64, u64>,
                T2: ::planus::WriteAsDefault<u64, u64>,
            > ::planus::WriteAs<::planus::Offset<Buffer>> for BufferBuilder<(T0, T1, T2)>
        {
            type Prepared = ::planus::Offset<Buffer>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Buffer> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[u8]>>,
                T1: ::planus::WriteAsDefault<u64, u64>,
                T2: ::planus::WriteAsDefault<u64, u64>,
            > ::planus::WriteAsOptional<::planus::Offset<Buffer>> for BufferBuilder<(T0, T1, T2)>
        {
            type Prepared = ::planus::Offset<Buffer>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<Buffer>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl<
                T0: ::planus::WriteAsOptional<::planus::Offset<[u8]>>,
                T1: ::planus::WriteAsDefault<u64, u64>,
                T2: ::planus::WriteAsDefault<u64, u64>,
            > ::planus::WriteAsOffset<Buffer> for BufferBuilder<(T0, T1, T2)>
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Buffer> {
                let (v0, v1, v2) = &self.0;
                Buffer::create(builder, v0, v1, v2)
            }
        }

        /// Reference to a deserialized [Buffer].
        #[derive(Copy, Clone)]
        pub struct BufferRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> BufferRef<'a> {
            /// Getter for the [`data` field](Buffer#structfield.data).
            #[inline]
            pub fn data(&self) -> ::planus::Result<::core::option::Option<&'a [u8]>> {
                self.0.access(0, "Buffer", "data")
            }

            /// Getter for the [`offset` field](Buffer#structfield.offset).
            #[inline]
            pub fn offset(&self) -> ::planus::Result<u64> {
                ::core::result::Result::Ok(self.0.access(1, "Buffer", "offset")?.unwrap_or(0))
            }

            /// Getter for the [`size` field](Buffer#structfield.size).
            #[inline]
            pub fn size(&self) -> ::planus::Result<u64> {
                ::core::result::Result::Ok(self.0.access(2, "Buffer", "size")?.unwrap_or(0))
            }
        }

        impl<'a> ::core::fmt::Debug for BufferRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("BufferRef");
                if let ::core::option::Option::Some(field_data) = self.data().transpose() {
                    f.field("data", &field_data);
                }
                f.field("offset", &self.offset());
                f.field("size", &self.size());
                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<BufferRef<'a>> for Buffer {
            type Error = ::planus::Error;

            #[allow(unreachable_code)]
            fn try_from(value: BufferRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {
                    data: value.data()?.map(|v| v.to_vec()),
                    offset: ::core::convert::TryInto::try_into(value.offset()?)?,
                    size: ::core::convert::TryInto::try_into(value.size()?)?,
                })
            }
        }

        impl<'a> ::planus::TableRead<'a> for BufferRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for BufferRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[BufferRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<Buffer>> for Buffer {
            type Value = ::planus::Offset<Buffer>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<Buffer>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for BufferRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[BufferRef]", "read_as_root", 0))
            }
        }

        /// The table `Model` in the namespace `tflite`
        ///
        /// Generated from these locations:
        /// * Table `Model` in the file `src/import/tflite/schema.fbs:104`
        #[derive(Clone, Debug, PartialEq, PartialOrd)]
        pub struct Model {
            /// The field `version` in the table `Model`
            pub version: u32,
            /// The field `operator_codes` in the table `Model`
            pub operator_codes: ::core::option::Option<::planus::alloc::vec::Vec<self::OperatorCode>>,
            /// The field `subgraphs` in the table `Model`
            pub subgraphs: ::core::option::Option<::planus::alloc::vec::Vec<self::SubGraph>>,
            /// The field `description` in the table `Model`
            pub description: ::core::option::Option<::planus::alloc::string::String>,
            /// The field `buffers` in the table `Model`
            pub buffers: ::core::option::Option<::planus::alloc::vec::Vec<self::Buffer>>,
        }

        #[allow(clippy::derivable_impls)]
        impl ::core::default::Default for Model {
            fn default() -> Self {
                Self {
                    version: 0,
                    operator_codes: ::core::default::Default::default(),
                    subgraphs: ::core::default::Default::default(),
                    description: ::core::default::Default::default(),
                    buffers: ::core::default::Default::default(),
                }
            }
        }

        impl Model {
            /// Creates a [ModelBuilder] for serializing an instance of this table.
            #[inline]
            pub fn builder() -> ModelBuilder<()> {
                ModelBuilder(())
            }

            #[allow(clippy::too_many_arguments)]
            pub fn create(
                builder: &mut ::planus::Builder,
                field_version: impl ::planus::WriteAsDefault<u32, u32>,
                field_operator_codes: impl ::planus::WriteAsOptional<
                    ::planus::Offset<[::planus::Offset<self::OperatorCode>]>,
                >,
                field_subgraphs: impl ::planus::WriteAsOptional<
                    ::planus::Offset<[::planus::Offset<self::SubGraph>]>,
                >,
                field_description: impl ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                field_buffers: impl ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::Buffer>]>>,
            ) -> ::planus::Offset<Self> {
                let prepared_version = field_version.prepare(builder, &0);
                let prepared_operator_codes = field_operator_codes.prepare(builder);
                let prepared_subgraphs = field_subgraphs.prepare(builder);
                let prepared_description = field_description.prepare(builder);
                let prepared_buffers = field_buffers.prepare(builder);

                let mut table_writer: ::planus::table_writer::TableWriter<14> =
                    ::core::default::Default::default();
                if prepared_version.is_some() {
                    table_writer.write_entry::<u32>(0);
                }
                if prepared_operator_codes.is_some() {
                    table_writer.write_entry::<::planus::Offset<[::planus::Offset<self::OperatorCode>]>>(1);
                }
                if prepared_subgraphs.is_some() {
                    table_writer.write_entry::<::planus::Offset<[::planus::Offset<self::SubGraph>]>>(2);
                }
                if prepared_description.is_some() {
                    table_writer.write_entry::<::planus::Offset<str>>(3);
                }
                if prepared_buffers.is_some() {
                    table_writer.write_entry::<::planus::Offset<[::planus::Offset<self::Buffer>]>>(4);
                }

                unsafe {
                    table_writer.finish(builder, |object_writer| {
                        if let ::core::option::Option::Some(prepared_version) = prepared_version {
                            object_writer.write::<_, _, 4>(&prepared_version);
                        }
                        if let ::core::option::Option::Some(prepared_operator_codes) = prepared_operator_codes
                        {
                            object_writer.write::<_, _, 4>(&prepared_operator_codes);
                        }
                        if let ::core::option::Option::Some(prepared_subgraphs) = prepared_subgraphs {
                            object_writer.write::<_, _, 4>(&prepared_subgraphs);
                        }
                        if let ::core::option::Option::Some(prepared_description) = prepared_description {
                            object_writer.write::<_, _, 4>(&prepared_description);
                        }
                        if let ::core::option::Option::Some(prepared_buffers) = prepared_buffers {
                            object_writer.write::<_, _, 4>(&prepared_buffers);
                        }
                    });
                }
                builder.current_offset()
            }
        }

        impl ::planus::WriteAs<::planus::Offset<Model>> for Model {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Model> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl ::planus::WriteAsOptional<::planus::Offset<Model>> for Model {
            type Prepared = ::planus::Offset<Self>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<Model>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl ::planus::WriteAsOffset<Model> for Model {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Model> {
                Model::create(
                    builder,
                    self.version,
                    &self.operator_codes,
                    &self.subgraphs,
                    &self.description,
                    &self.buffers,
                )
            }
        }

        /// Builder for serializing an instance of the [Model] type.
        ///
        /// Can be created using the [Model::builder] method.
        #[derive(Debug)]
        #[must_use]
        pub struct ModelBuilder<State>(State);

        impl ModelBuilder<()> {
            /// Setter for the [`version` field](Model#structfield.version).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn version<T0>(self, value: T0) -> ModelBuilder<(T0,)>
            where
                T0: ::planus::WriteAsDefault<u32, u32>,
            {
                ModelBuilder((value,))
            }

            /// Sets the [`version` field](Model#structfield.version) to the default value.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn version_as_default(self) -> ModelBuilder<(::planus::DefaultValue,)> {
                self.version(::planus::DefaultValue)
            }
        }

        impl<T0> ModelBuilder<(T0,)> {
            /// Setter for the [`operator_codes` field](Model#structfield.operator_codes).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn operator_codes<T1>(self, value: T1) -> ModelBuilder<(T0, T1)>
            where
                T1: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::OperatorCode>]>>,
            {
                let (v0,) = self.0;
                ModelBuilder((v0, value))
            }

            /// Sets the [`operator_codes` field](Model#structfield.operator_codes) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn operator_codes_as_null(self) -> ModelBuilder<(T0, ())> {
                self.operator_codes(())
            }
        }

        impl<T0, T1> ModelBuilder<(T0, T1)> {
            /// Setter for the [`subgraphs` field](Model#structfield.subgraphs).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn subgraphs<T2>(self, value: T2) -> ModelBuilder<(T0, T1, T2)>
            where
                T2: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::SubGraph>]>>,
            {
                let (v0, v1) = self.0;
                ModelBuilder((v0, v1, value))
            }

            /// Sets the [`subgraphs` field](Model#structfield.subgraphs) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn subgraphs_as_null(self) -> ModelBuilder<(T0, T1, ())> {
                self.subgraphs(())
            }
        }

        impl<T0, T1, T2> ModelBuilder<(T0, T1, T2)> {
            /// Setter for the [`description` field](Model#structfield.description).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn description<T3>(self, value: T3) -> ModelBuilder<(T0, T1, T2, T3)>
            where
                T3: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
            {
                let (v0, v1, v2) = self.0;
                ModelBuilder((v0, v1, v2, value))
            }

            /// Sets the [`description` field](Model#structfield.description) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn description_as_null(self) -> ModelBuilder<(T0, T1, T2, ())> {
                self.description(())
            }
        }

        impl<T0, T1, T2, T3> ModelBuilder<(T0, T1, T2, T3)> {
            /// Setter for the [`buffers` field](Model#structfield.buffers).
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn buffers<T4>(self, value: T4) -> ModelBuilder<(T0, T1, T2, T3, T4)>
            where
                T4: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::Buffer>]>>,
            {
                let (v0, v1, v2, v3) = self.0;
                ModelBuilder((v0, v1, v2, v3, value))
            }

            /// Sets the [`buffers` field](Model#structfield.buffers) to null.
            #[inline]
            #[allow(clippy::type_complexity)]
            pub fn buffers_as_null(self) -> ModelBuilder<(T0, T1, T2, T3, ())> {
                self.buffers(())
            }
        }

        impl<T0, T1, T2, T3, T4> ModelBuilder<(T0, T1, T2, T3, T4)> {
            /// Finish writing the builder to get an [Offset](::planus::Offset) to a serialized [Model].
            #[inline]
            pub fn finish(self, builder: &mut ::planus::Builder) -> ::planus::Offset<Model>
            where
                Self: ::planus::WriteAsOffset<Model>,
            {
                ::planus::WriteAsOffset::prepare(&self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<u32, u32>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::OperatorCode>]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::SubGraph>]>>,
                T3: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                T4: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::Buffer>]>>,
            > ::planus::WriteAs<::planus::Offset<Model>> for ModelBuilder<(T0, T1, T2, T3, T4)>
        {
            type Prepared = ::planus::Offset<Model>;

            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Model> {
                ::planus::WriteAsOffset::prepare(self, builder)
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<u32, u32>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::OperatorCode>]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::SubGraph>]>>,
                T3: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                T4: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::Buffer>]>>,
            > ::planus::WriteAsOptional<::planus::Offset<Model>> for ModelBuilder<(T0, T1, T2, T3, T4)>
        {
            type Prepared = ::planus::Offset<Model>;

            #[inline]
            fn prepare(
                &self,
                builder: &mut ::planus::Builder,
            ) -> ::core::option::Option<::planus::Offset<Model>> {
                ::core::option::Option::Some(::planus::WriteAsOffset::prepare(self, builder))
            }
        }

        impl<
                T0: ::planus::WriteAsDefault<u32, u32>,
                T1: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::OperatorCode>]>>,
                T2: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::SubGraph>]>>,
                T3: ::planus::WriteAsOptional<::planus::Offset<::core::primitive::str>>,
                T4: ::planus::WriteAsOptional<::planus::Offset<[::planus::Offset<self::Buffer>]>>,
            > ::planus::WriteAsOffset<Model> for ModelBuilder<(T0, T1, T2, T3, T4)>
        {
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> ::planus::Offset<Model> {
                let (v0, v1, v2, v3, v4) = &self.0;
                Model::create(builder, v0, v1, v2, v3, v4)
            }
        }

        /// Reference to a deserialized [Model].
        #[derive(Copy, Clone)]
        pub struct ModelRef<'a>(#[allow(dead_code)] ::planus::table_reader::Table<'a>);

        impl<'a> ModelRef<'a> {
            /// Getter for the [`version` field](Model#structfield.version).
            #[inline]
            pub fn version(&self) -> ::planus::Result<u32> {
                ::core::result::Result::Ok(self.0.access(0, "Model", "version")?.unwrap_or(0))
            }

            /// Getter for the [`operator_codes` field](Model#structfield.operator_codes).
            #[inline]
            pub fn operator_codes(
                &self,
            ) -> ::planus::Result<
                ::core::option::Option<::planus::Vector<'a, ::planus::Result<self::OperatorCodeRef<'a>>>>,
            > {
                self.0.access(1, "Model", "operator_codes")
            }

            /// Getter for the [`subgraphs` field](Model#structfield.subgraphs).
            #[inline]
            pub fn subgraphs(
                &self,
            ) -> ::planus::Result<
                ::core::option::Option<::planus::Vector<'a, ::planus::Result<self::SubGraphRef<'a>>>>,
            > {
                self.0.access(2, "Model", "subgraphs")
            }

            /// Getter for the [`description` field](Model#structfield.description).
            #[inline]
            pub fn description(
                &self,
            ) -> ::planus::Result<::core::option::Option<&'a ::core::primitive::str>> {
                self.0.access(3, "Model", "description")
            }

            /// Getter for the [`buffers` field](Model#structfield.buffers).
            #[inline]
            pub fn buffers(
                &self,
            ) -> ::planus::Result<
                ::core::option::Option<::planus::Vector<'a, ::planus::Result<self::BufferRef<'a>>>>,
            > {
                self.0.access(4, "Model", "buffers")
            }
        }

        impl<'a> ::core::fmt::Debug for ModelRef<'a> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut f = f.debug_struct("ModelRef");
                f.field("version", &self.version());
                if let ::core::option::Option::Some(field_operator_codes) = self.operator_codes().transpose()
                {
                    f.field("operator_codes", &field_operator_codes);
                }
                if let ::core::option::Option::Some(field_subgraphs) = self.subgraphs().transpose() {
                    f.field("subgraphs", &field_subgraphs);
                }
                if let ::core::option::Option::Some(field_description) = self.description().transpose() {
                    f.field("description", &field_description);
                }
                if let ::core::option::Option::Some(field_buffers) = self.buffers().transpose() {
                    f.field("buffers", &field_buffers);
                }
                f.finish()
            }
        }

        impl<'a> ::core::convert::TryFrom<ModelRef<'a>> for Model {
            type Error = ::planus::Error;

            #[allow(unreachable_code)]
            fn try_from(value: ModelRef<'a>) -> ::planus::Result<Self> {
                ::core::result::Result::Ok(Self {
                    version: ::core::convert::TryInto::try_into(value.version()?)?,
                    operator_codes: if let ::core::option::Option::Some(operator_codes) =
                        value.operator_codes()?
                    {
                        ::core::option::Option::Some(operator_codes.to_vec_result()?)
                    } else {
                        ::core::option::Option::None
                    },
                    subgraphs: if let ::core::option::Option::Some(subgraphs) = value.subgraphs()? {
                        ::core::option::Option::Some(subgraphs.to_vec_result()?)
                    } else {
                        ::core::option::Option::None
                    },
                    description: value.description()?.map(::core::convert::Into::into),
                    buffers: if let ::core::option::Option::Some(buffers) = value.buffers()? {
                        ::core::option::Option::Some(buffers.to_vec_result()?)
                    } else {
                        ::core::option::Option::None
                    },
                })
            }
        }

        impl<'a> ::planus::TableRead<'a> for ModelRef<'a> {
            #[inline]
            fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::core::result::Result<Self, ::planus::errors::ErrorKind> {
                ::core::result::Result::Ok(Self(::planus::table_reader::Table::from_buffer(buffer, offset)?))
            }
        }

        impl<'a> ::planus::VectorReadInner<'a> for ModelRef<'a> {
            type Error = ::planus::Error;
            const STRIDE: usize = 4;

            unsafe fn from_buffer(
                buffer: ::planus::SliceWithStartOffset<'a>,
                offset: usize,
            ) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(buffer, offset).map_err(|error_kind| {
                    error_kind.with_error_location("[ModelRef]", "get", buffer.offset_from_start)
                })
            }
        }

        /// # Safety
        /// The planus compiler generates implementations that initialize
        /// the bytes in `write_values`.
        unsafe impl ::planus::VectorWrite<::planus::Offset<Model>> for Model {
            type Value = ::planus::Offset<Model>;
            const STRIDE: usize = 4;
            #[inline]
            fn prepare(&self, builder: &mut ::planus::Builder) -> Self::Value {
                ::planus::WriteAs::prepare(self, builder)
            }

            #[inline]
            unsafe fn write_values(
                values: &[::planus::Offset<Model>],
                bytes: *mut ::core::mem::MaybeUninit<u8>,
                buffer_position: u32,
            ) {
                let bytes = bytes as *mut [::core::mem::MaybeUninit<u8>; 4];
                for (i, v) in ::core::iter::Iterator::enumerate(values.iter()) {
                    ::planus::WriteAsPrimitive::write(
                        v,
                        ::planus::Cursor::new(unsafe { &mut *bytes.add(i) }),
                        buffer_position - (Self::STRIDE * i) as u32,
                    );
                }
            }
        }

        impl<'a> ::planus::ReadAsRoot<'a> for ModelRef<'a> {
            fn read_as_root(slice: &'a [u8]) -> ::planus::Result<Self> {
                ::planus::TableRead::from_buffer(
                    ::planus::SliceWithStartOffset { buffer: slice, offset_from_start: 0 },
                    0,
                )
                .map_err(|error_kind| error_kind.with_error_location("[ModelRef]", "read_as_root", 0))
            }
        }
    }
}
